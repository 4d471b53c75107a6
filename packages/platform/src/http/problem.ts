import { STATUS_CODES } from "node:http";
import { z } from "zod";

/**
 * RFC 9457 problem details. Field problems name where the bad value sits as a dotted path that starts
 * with its location: `body`, `query`, `params` or `headers`, then the keys and array indexes inside it
 * (`body.quantity`, `body.items.0.productId`, `query.limit`; just `body` for the body as a whole).
 */
export interface FieldProblem {
  path: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldProblem[];
}

export const problemContentType = "application/problem+json";

const problemBaseUri = "https://mercato.dev/problems/";

export function problemType(slug: string): string {
  return problemBaseUri + slug;
}

/** The titles of the problem types the platform itself answers; other slugs take the status text. */
const titles: Record<string, string> = {
  validation: "Invalid request",
  "malformed-json": "Malformed JSON",
  "bad-request": "Bad request",
  "invalid-cursor": "Invalid cursor",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  "not-found": "Not found",
  "method-not-allowed": "Method not allowed",
  conflict: "Conflict",
  "payload-too-large": "Payload too large",
  "unsupported-media-type": "Unsupported media type",
  unprocessable: "Unprocessable content",
  "rate-limited": "Too many requests",
  internal: "Internal server error",
  unavailable: "Service unavailable",
  "not-ready": "Not ready",
};

/**
 * An error a route handler throws to answer with a problem: the error handler turns it into the
 * response as is (status, body, headers). Anything else thrown becomes a generic 500.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldProblem[] | undefined;
  /** Response headers that belong to the problem (`Retry-After`, `Allow`, `WWW-Authenticate`). */
  readonly headers: Record<string, string> = {};

  constructor(status: number, slug: string, detail: string, errors?: FieldProblem[]) {
    super(detail);
    this.name = "HttpProblem";
    this.status = status;
    this.slug = slug;
    this.title = titles[slug] ?? STATUS_CODES[status] ?? "Error";
    this.detail = detail;
    this.errors = errors;
  }

  get type(): string {
    return problemType(this.slug);
  }

  withHeader(name: string, value: string): this {
    this.headers[name] = value;
    return this;
  }

  toJSON(): ProblemBody {
    const body: ProblemBody = {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
    };
    if (this.errors !== undefined && this.errors.length > 0) body.errors = this.errors;
    return body;
  }

  static badRequest(detail: string, errors?: FieldProblem[]): HttpProblem {
    return new HttpProblem(400, "bad-request", detail, errors);
  }

  /** Carries `WWW-Authenticate: Bearer`, which RFC 9110 requires on a 401. */
  static unauthorized(detail: string): HttpProblem {
    return new HttpProblem(401, "unauthorized", detail).withHeader("www-authenticate", "Bearer");
  }

  static forbidden(detail: string): HttpProblem {
    return new HttpProblem(403, "forbidden", detail);
  }

  static notFound(detail: string): HttpProblem {
    return new HttpProblem(404, "not-found", detail);
  }

  static conflict(detail: string): HttpProblem {
    return new HttpProblem(409, "conflict", detail);
  }

  static unprocessable(detail: string, errors?: FieldProblem[]): HttpProblem {
    return new HttpProblem(422, "unprocessable", detail, errors);
  }

  static tooManyRequests(detail: string, retryAfterSeconds: number): HttpProblem {
    return new HttpProblem(429, "rate-limited", detail).withHeader(
      "retry-after",
      String(Math.max(0, Math.ceil(retryAfterSeconds))),
    );
  }

  static unavailable(detail: string, retryAfterSeconds?: number): HttpProblem {
    const problem = new HttpProblem(503, "unavailable", detail);
    return retryAfterSeconds === undefined
      ? problem
      : problem.withHeader("retry-after", String(Math.max(0, Math.ceil(retryAfterSeconds))));
  }
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details" });

/** A route's error response for its schema, so the OpenAPI document shows the problem media type. */
export function problemResponse(description: string) {
  return { description, content: { [problemContentType]: { schema: problemSchema } } };
}
