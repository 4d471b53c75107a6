import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from "fastify";
import { type $ZodIssue, $ZodType, safeParse } from "zod/v4/core";
import { type FieldProblem, HttpProblem, problemContentType } from "./problem.ts";

/**
 * Serialised here rather than by the route's response serializer, which knows nothing of problems,
 * and sent as bytes: Fastify would append `; charset=utf-8` to a string, a parameter the
 * problem+json media type does not define.
 */
export function sendProblem(
  reply: FastifyReply,
  problem: HttpProblem,
  extensions?: Record<string, unknown>,
): FastifyReply {
  reply.code(problem.status).type(problemContentType);
  for (const [name, value] of Object.entries(problem.headers)) reply.header(name, value);
  const body = extensions === undefined ? problem.toJSON() : { ...problem.toJSON(), ...extensions };
  return reply.send(Buffer.from(JSON.stringify(body)));
}

type Location = "params" | "body" | "query" | "headers";

/** Fastify validates in this order and stops at the first location that fails. */
const validationOrder: readonly {
  location: Location;
  schemaKey: "params" | "body" | "querystring" | "headers";
}[] = [
  { location: "params", schemaKey: "params" },
  { location: "body", schemaKey: "body" },
  { location: "query", schemaKey: "querystring" },
  { location: "headers", schemaKey: "headers" },
];

const locationOfContext: Record<string, Location> = {
  params: "params",
  body: "body",
  querystring: "query",
  headers: "headers",
};

function fieldPath(location: Location, segments: readonly PropertyKey[]): string {
  return segments.length === 0 ? location : `${location}.${segments.map(String).join(".")}`;
}

function fromZodIssues(location: Location, issues: readonly $ZodIssue[]): FieldProblem[] {
  return issues.map((issue) => ({ path: fieldPath(location, issue.path), message: issue.message }));
}

function fromValidation(
  location: Location,
  validation: readonly FastifySchemaValidationError[],
): FieldProblem[] {
  return validation.map((failure) => ({
    path: fieldPath(location, failure.instancePath.split("/").slice(1).filter(Boolean)),
    message: failure.message ?? "is invalid",
  }));
}

/**
 * Lists the failing location's problems, then validates the locations Fastify never reached, so the
 * client learns every problem in one answer. Locations before the failing one passed and already
 * hold parsed values, so they are not checked again.
 */
function validationProblem(error: FastifyError, request: FastifyRequest): HttpProblem {
  const failed = locationOfContext[error.validationContext ?? "body"] ?? "body";
  const errors = fromValidation(failed, error.validation ?? []);
  const schema = request.routeOptions.schema;
  const raw: Record<Location, unknown> = {
    params: request.params,
    body: request.body,
    query: request.query,
    headers: request.headers,
  };
  let reached = false;
  for (const { location, schemaKey } of validationOrder) {
    if (location === failed) {
      reached = true;
      continue;
    }
    const locationSchema: unknown = schema?.[schemaKey];
    if (!reached || !(locationSchema instanceof $ZodType)) continue;
    const result = safeParse(locationSchema, raw[location]);
    if (result.error) errors.push(...fromZodIssues(location, result.error.issues));
  }
  return invalidRequest(errors);
}

/** The 400 for field problems, whichever check found them. */
export function invalidRequest(errors: FieldProblem[]): HttpProblem {
  const count = errors.length === 1 ? "1 problem" : `${errors.length} problems`;
  return new HttpProblem(400, "validation", `The request is invalid: ${count}, listed in errors`, errors);
}

function payloadTooLarge(request: FastifyRequest): HttpProblem {
  return new HttpProblem(
    413,
    "payload-too-large",
    `The request body is larger than the limit of ${request.routeOptions.bodyLimit} bytes`,
  );
}

function unsupportedMediaType(request: FastifyRequest): HttpProblem {
  const contentType = request.headers["content-type"];
  return new HttpProblem(
    415,
    "unsupported-media-type",
    contentType === undefined
      ? "The request has a body but no Content-Type; send application/json"
      : `Content-Type "${contentType}" is not accepted here; send application/json`,
  );
}

const slugOfStatus: Record<number, string> = {
  400: "bad-request",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  405: "method-not-allowed",
  409: "conflict",
  413: "payload-too-large",
  415: "unsupported-media-type",
  422: "unprocessable",
  429: "rate-limited",
};

function internal(): HttpProblem {
  return new HttpProblem(
    500,
    "internal",
    "The server failed to handle the request; the error has been logged",
  );
}

/**
 * Only problems the server means to show reach the client: thrown `HttpProblem`s, failed validation,
 * and Fastify's own client errors (their messages describe the request, not the server). Every other
 * error, whatever status it claims, is a generic 500.
 */
export function problemFromError(error: unknown, request: FastifyRequest): HttpProblem {
  if (error instanceof HttpProblem) return error;
  const fastifyError = error as Partial<FastifyError>;
  if (Array.isArray(fastifyError.validation)) return validationProblem(error as FastifyError, request);
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return payloadTooLarge(request);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return unsupportedMediaType(request);
  }
  const status = fastifyError.statusCode;
  if (fastifyError.code?.startsWith("FST_") && status !== undefined && status >= 400 && status < 500) {
    return new HttpProblem(status, slugOfStatus[status] ?? `http-${status}`, fastifyError.message ?? "");
  }
  return internal();
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const problem = problemFromError(error, request);
  if (problem.status >= 500) request.log.error({ err: error }, "request failed");
  return sendProblem(reply, problem);
}

const knownMethods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** A 405 with `Allow` when the path exists under other methods, else a 404. */
export function notFoundHandler(app: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const queryStart = request.url.indexOf("?");
    const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
    const allowed = knownMethods.filter(
      (method) => method !== request.method && app.findRoute({ method, url: path }) !== null,
    );
    if (allowed.length > 0) {
      const problem = new HttpProblem(
        405,
        "method-not-allowed",
        `${request.method} is not allowed on ${path}; allowed: ${allowed.join(", ")}`,
      ).withHeader("allow", allowed.join(", "));
      return sendProblem(reply, problem);
    }
    return sendProblem(reply, HttpProblem.notFound(`No route for ${request.method} ${path}`));
  };
}
