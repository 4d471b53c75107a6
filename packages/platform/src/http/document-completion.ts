import { optionalBodyMark } from "./operation.ts";
import { problemContentType } from "./problem.ts";

/**
 * Answers every operation can give whatever it declares, named once in `components.responses` and
 * referred to from each operation, so generated clients type them as the Problem they are:
 * - 500: anything a handler throws that is not a problem (errors.ts);
 * - 503: the server is shutting down (closing.ts), or, when the services run in processes of their
 *   own, the gateway cannot reach the service that owns the path (the gateway's service-proxy.ts).
 * An operation that declares one of these statuses itself (readiness, checkout's cart call) keeps
 * its own description.
 */
const serverAnswers = {
  500: {
    name: "InternalError",
    response: {
      description: "An unexpected error on the server; the request may or may not have taken effect",
      content: { [problemContentType]: { schema: { $ref: "#/components/schemas/Problem" } } },
    },
  },
  503: {
    name: "Unavailable",
    response: {
      description:
        "The server is shutting down, or (services in separate processes) the service behind the gateway cannot be reached; send the request again after Retry-After",
      headers: {
        "Retry-After": {
          description: "Seconds to wait before sending the request again",
          schema: { type: "integer", minimum: 0 },
        },
      },
      content: { [problemContentType]: { schema: { $ref: "#/components/schemas/Problem" } } },
    },
  },
} as const;

const methods = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

type Operation = Record<string, unknown> & { responses?: Record<string, unknown> };

/** Applies `change` to every operation of the document. */
function mapOperations<Document extends object>(
  document: Document,
  change: (operation: Operation) => Operation,
): Document {
  const { paths } = document as { paths?: Record<string, Record<string, Operation>> };
  const changed = Object.fromEntries(
    Object.entries(paths ?? {}).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]) => [key, methods.has(key) ? change(value) : value]),
      ),
    ]),
  );
  return { ...document, paths: changed };
}

/** Every operation's 500 and 503, referring to the shared answers `components.responses` gains. */
export function withServerAnswers<Document extends object>(document: Document): Document {
  const answers = Object.entries(serverAnswers);
  const completed = mapOperations(document, (operation) => {
    if (operation.responses === undefined) return operation;
    const responses = { ...operation.responses };
    for (const [status, { name }] of answers)
      responses[status] ??= { $ref: `#/components/responses/${name}` };
    return { ...operation, responses };
  });
  const { components } = completed as { components?: { responses?: Record<string, unknown> } };
  const shared = Object.fromEntries(answers.map(([, { name, response }]) => [name, response]));
  return { ...completed, components: { ...components, responses: { ...components?.responses, ...shared } } };
}

/** Operations marked with `optionalBodyMark` (operation.ts) take their body as optional. */
export function withOptionalBodies<Document extends object>(document: Document): Document {
  return mapOperations(document, (operation) => {
    if (!(optionalBodyMark in operation)) return operation;
    const { [optionalBodyMark]: _mark, requestBody, ...rest } = operation;
    return { ...rest, requestBody: { ...(requestBody as object), required: false } };
  });
}

/**
 * fastify-type-provider-zod emits every named schema twice, as read (`Order`) and as written
 * (`OrderInput`); a form no operation uses (the written form of a schema no request carries, the
 * read form of one only requests carry) is dropped from the document. Removes them until none is
 * left, since one may refer to another.
 */
export function withoutUnusedSchemas<Document extends object>(document: Document): Document {
  const { components } = document as { components?: { schemas?: Record<string, unknown> } };
  const schemas = { ...components?.schemas };
  for (;;) {
    const text = JSON.stringify({ ...document, components: { ...components, schemas } });
    const unused = Object.keys(schemas).filter((id) => !text.includes(`"#/components/schemas/${id}"`));
    if (unused.length === 0) break;
    for (const id of unused) delete schemas[id];
  }
  return { ...document, components: { ...components, schemas } };
}
