import type { FastifyRequest } from "fastify";
import { invalidRequest } from "./errors.ts";
import type { FieldProblem } from "./problem.ts";

/**
 * What text from a client may hold. Every string that arrives (body values and keys, query, params,
 * the fields of a cursor) must be well-formed UTF-16 without C0 control characters other than tab,
 * line feed and carriage return, and without DEL:
 * - NUL cannot be stored at all (PostgreSQL refuses it in text and in jsonb), and an unpaired
 *   surrogate is not a character (it cannot be encoded as UTF-8); both used to reach the database
 *   and fail there with a 500;
 * - the other controls have no meaning in names, addresses, descriptions or search terms, and
 *   only let a client smuggle invisible text into other people's screens, logs and emails;
 * - tab and line breaks are legitimate in multi-line text such as a product description.
 * A route that must take other bytes takes them as a binary body (images), which is not checked.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const suspect = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const forbiddenControl = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be accepted, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  // Nearly every string passes this one test; the precise checks run only on a suspect one.
  if (!suspect.test(text)) return undefined;
  const control = forbiddenControl.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0);
    const name = code === 0 ? "NUL" : `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
    return `contains the control character ${name}; text may hold tabs and line breaks but no other control characters`;
  }
  if (loneSurrogate.test(text)) {
    return "contains an unpaired surrogate (half of a UTF-16 pair), which is not a character";
  }
  return undefined;
}

/** Nesting past this is not walked; request bodies are refused long before (see json-body.ts). */
const maxWalkDepth = 64;

/**
 * Every text problem in `value` (strings, object keys, inside arrays and objects), each named by its
 * dotted path from `location` as field problems are (`body.items.0.name`, `query.q`). A key that is
 * itself the problem appears in the path with its bad characters escaped, so the path stays printable.
 */
export function findTextProblems(value: unknown, location: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  walk(value, location, 0, problems);
  return problems;
}

function walk(value: unknown, path: string, depth: number, problems: FieldProblem[]): void {
  if (typeof value === "string") {
    const problem = textProblem(value);
    if (problem) problems.push({ path, message: problem });
    return;
  }
  if (typeof value !== "object" || value === null || depth >= maxWalkDepth) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      walk(item, `${path}.${index}`, depth + 1, problems);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const keyProblem = textProblem(key);
    const itemPath = `${path}.${keyProblem ? printable(key) : key}`;
    if (keyProblem) problems.push({ path: itemPath, message: `the key ${keyProblem}` });
    walk(item, itemPath, depth + 1, problems);
  }
}

/**
 * Parsed JSON, parsed query strings and route params (the last two are objects of prototypes of
 * their own); not a binary body, which is a buffer or a stream.
 */
function isRecord(value: object): boolean {
  return !ArrayBuffer.isView(value) && typeof (value as { pipe?: unknown }).pipe !== "function";
}

function printable(key: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point.
  return key.replace(/[\u0000-\u001F\u007F\uD800-\uDFFF]/g, (unit) => {
    return `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
}

/**
 * A `preValidation` hook for every route: refuses text no field takes before any schema or handler
 * sees it, whatever the route. Binary bodies (buffers, streams) are not text and pass.
 */
export async function refuseUnsafeText(request: FastifyRequest): Promise<void> {
  const problems = [
    ...findTextProblems(request.params, "params"),
    ...queryEncodingProblems(request.url),
    ...findTextProblems(request.query, "query"),
    ...findTextProblems(request.body, "body"),
  ];
  if (problems.length > 0) throw invalidRequest(problems);
}

/**
 * Query parameters whose escapes do not spell UTF-8 (`%FF`, or `%ED%A0%80`, a surrogate's bytes).
 * The query parser keeps such a value as its raw escapes, so without this check a route would run
 * on text the client never meant, where the same bytes in a body are refused.
 */
export function queryEncodingProblems(url: string): FieldProblem[] {
  const start = url.indexOf("?");
  if (start === -1 || !url.includes("%", start)) return [];
  const problems: FieldProblem[] = [];
  for (const parameter of url.slice(start + 1).split("&")) {
    if (decodes(parameter)) continue;
    const key = parameter.split("=", 1)[0] ?? "";
    problems.push({
      path: `query.${decodes(key) ? decodeURIComponent(key.replace(/\+/g, " ")) : printable(key)}`,
      message: "is not UTF-8: its percent-escapes spell no characters",
    });
  }
  return problems;
}

function decodes(component: string): boolean {
  try {
    decodeURIComponent(component.replace(/\+/g, " "));
    return true;
  } catch {
    return false;
  }
}
