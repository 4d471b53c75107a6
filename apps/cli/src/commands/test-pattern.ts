import { compilePattern, InvalidPatternError } from "@mercato/platform/patterns";

/**
 * `mercato events test-pattern '<pattern json>' '<event json>'`: prints true or false and exits
 * 0; prints why and exits 2 when the pattern (or either argument's JSON) is invalid.
 */
export function testPattern(patternText: string, eventText: string): number {
  const pattern = parseJson(patternText, "pattern");
  const event = parseJson(eventText, "event");
  if (!pattern.ok) return fail(pattern.error);
  if (!event.ok) return fail(event.error);
  try {
    console.log(String(compilePattern(pattern.value).matches(event.value)));
    return 0;
  } catch (error) {
    if (error instanceof InvalidPatternError) return fail(`invalid pattern: ${error.message}`);
    throw error;
  }
}

function parseJson(text: string, what: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, error: `the ${what} is not valid JSON: ${(error as Error).message}` };
  }
}

function fail(message: string): number {
  console.error(message);
  return 2;
}
