import type { FastifyInstance } from "fastify";
import { HttpProblem } from "./problem.ts";

/**
 * Makes `application/json` the only body type the server parses, so any other or a missing content
 * type is a 415. A service that takes other bodies (images) adds its parser inside its own plugin.
 *
 * Fastify's own parser stays in charge (it refuses `__proto__` and `constructor.prototype` keys), but
 * its error does not say what is wrong with the JSON; on that rare path the body is parsed again to
 * name the problem.
 */
export function acceptOnlyJsonBodies(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    parseJson(request, body as string, (error, value) => {
      if (error) done(malformedJson(body as string), undefined);
      else if (nestsDeeperThan(value, maxJsonDepth)) done(tooDeep(), undefined);
      else done(null, value);
    });
  });
}

/**
 * No request body of the API nests anywhere near this deep. Bounding it keeps every recursive walk
 * over a body (schema validation, the text check, the event pattern compiler) far from the stack's
 * end: a 10,000-deep array once overflowed it and answered 500.
 */
export const maxJsonDepth = 32;

/** Walks with an explicit stack, so that the check itself cannot overflow. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== "object" || next.value === null) continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) pending.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

function tooDeep(): HttpProblem {
  return new HttpProblem(
    400,
    "malformed-json",
    `The body nests arrays and objects more than ${maxJsonDepth} levels deep`,
  );
}

function malformedJson(body: string): HttpProblem {
  if (body.length === 0) {
    return new HttpProblem(
      400,
      "malformed-json",
      "The body is empty but its Content-Type is application/json",
    );
  }
  try {
    JSON.parse(body);
  } catch (error) {
    return new HttpProblem(400, "malformed-json", `The body is not valid JSON: ${(error as Error).message}`);
  }
  return new HttpProblem(
    400,
    "malformed-json",
    'The body uses a forbidden property name ("__proto__" or "constructor.prototype")',
  );
}
