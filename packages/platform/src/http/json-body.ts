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
      else done(null, value);
    });
  });
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
