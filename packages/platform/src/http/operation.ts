import { z } from "zod";
import { problemResponse } from "./problem.ts";

/**
 * The OpenAPI side of a route, declared once: `operation({...})` is the route's `schema`. It adds the
 * security requirement and the problem answers every route of its kind gives (see `standardErrors`),
 * so routes name only what is their own. operationIds are camelCase verb + noun (`getProduct`,
 * `placeOrder`); docs/architecture-notes.md, "HTTP contract".
 */

/** The names the document's security schemes have; operations refer to them. */
export const securitySchemes = {
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  },
  opsToken: {
    type: "http",
    scheme: "bearer",
    description: "The operations token (MERCATO_OPS_TOKEN); an admin's access token is accepted too",
  },
  awsSigV4: {
    type: "apiKey",
    in: "header",
    name: "Authorization",
    description:
      "AWS Signature Version 4 (`AWS4-HMAC-SHA256 Credential=...`), signed with an API key's access key id and secret access key",
  },
} as const;

/**
 * Who may call: anyone, any signed-in user, an admin, the operations token (or an admin), or a
 * request signed with AWS SigV4 by an API key (the EventBridge-compatible `/aws/events`).
 */
export type Access = "public" | "user" | "admin" | "ops" | "sigv4";

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

const accessNotes: Record<Access, string> = {
  public: "Public: no token needed.",
  user: "Needs a signed-in user's access token (bearer JWT).",
  admin: "Needs an access token (bearer JWT) of a user with the admin role.",
  ops: "Needs the operations token, or an access token (bearer JWT) of a user with the admin role.",
  sigv4:
    "Needs an AWS Signature Version 4 signature made with an API key's access key id and secret access key.",
};

const securityOf: Record<Access, Record<string, string[]>[]> = {
  public: [],
  user: [{ bearer: [] }],
  admin: [{ bearer: [] }],
  ops: [{ opsToken: [] }, { bearer: [] }],
  sigv4: [{ awsSigV4: [] }],
};

/** A success answer: its description and body schema (JSON unless `mediaTypes` says otherwise). */
export interface Success<S extends z.ZodType = z.ZodType> {
  description: string;
  schema: S;
  mediaTypes?: readonly string[];
}

type Input = z.ZodType | undefined;

export interface OperationDoc<
  Params extends Input,
  Query extends Input,
  Body extends Input,
  Headers extends Input,
  Responses extends Record<number, Success | "empty">,
> {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  access: Access;
  params?: Params;
  querystring?: Query;
  body?: Body;
  headers?: Headers;
  /** Media types the body may have when not JSON (the image upload); its schema is then binary. */
  consumes?: readonly string[];
  /** Success answers by status; `"empty"` for a 204 without a body. */
  responses: Responses;
  /**
   * For a route that speaks another protocol's errors (the AWS JSON of `/aws/events`): the body
   * every error answer has, in place of a problem.
   */
  errorBody?: { schema: z.ZodType; mediaType: string };
  /** The route's own problem answers, and better descriptions for the standard ones. */
  errors?: Partial<Record<ErrorStatus, string>>;
}

type ResponseSchemas<Responses> = {
  [Status in keyof Responses]: Responses[Status] extends Success<infer S>
    ? { description: string; content: { "application/json": { schema: S } } }
    : z.ZodNull;
};

/** Any bytes: the body of an image upload or download. */
export const binaryBody = z.any().meta({ type: "string", format: "binary" });

/**
 * The problem answers a route gives because of what it declares: 400 when it validates input (and
 * on every route for text no field takes, see text-input.ts), 401 when it needs a token, 403 when it
 * needs a role, 413 and 415 when it takes a body. 429 (the gateway's rate limit) is added by the
 * server to every `/api/` route, 500 and 503 to every route (document-completion.ts).
 */
export function standardErrors(declares: {
  access: Access;
  validates: boolean;
  takesBody: boolean;
  consumes?: readonly string[];
}): Partial<Record<ErrorStatus, string>> {
  const errors: Partial<Record<ErrorStatus, string>> = {};
  errors[400] = declares.validates
    ? "The request is invalid (fields listed in `errors`), or its JSON is malformed"
    : "The query string holds a control character or an unpaired surrogate (listed in `errors`)";
  if (declares.access !== "public" && declares.access !== "sigv4")
    errors[401] = "No access token, or one that is invalid or expired";
  if (declares.access === "admin" || declares.access === "ops")
    errors[403] = "The token's user is not an admin";
  if (declares.takesBody) {
    errors[413] = "The request body is larger than the route accepts";
    errors[415] = declares.consumes
      ? `The body is not one of ${declares.consumes.join(", ")}`
      : "The body is not application/json";
  }
  return errors;
}

export function operation<
  Params extends Input = undefined,
  Query extends Input = undefined,
  Body extends Input = undefined,
  Headers extends Input = undefined,
  Responses extends Record<number, Success | "empty"> = Record<number, Success | "empty">,
>(doc: OperationDoc<Params, Query, Body, Headers, Responses>) {
  const { access, responses, errors, errorBody, consumes, description, ...rest } = doc;
  const validates = [doc.params, doc.querystring, doc.body, doc.headers].some((part) => part !== undefined);
  const problems = {
    ...standardErrors({ access, validates, takesBody: doc.body !== undefined, consumes }),
    ...errors,
  };
  const response: Record<string, unknown> = {};
  for (const [status, success] of Object.entries(responses) as [string, Success | "empty"][]) {
    response[status] =
      success === "empty"
        ? z.null().describe("No content")
        : {
            description: success.description,
            content: Object.fromEntries(
              (success.mediaTypes ?? ["application/json"]).map((type) => [type, { schema: success.schema }]),
            ),
          };
  }
  for (const [status, text] of Object.entries(problems)) {
    response[status] = errorBody
      ? { description: text, content: { [errorBody.mediaType]: { schema: errorBody.schema } } }
      : problemResponse(text);
  }
  return {
    ...rest,
    ...(consumes ? { consumes: [...consumes] } : {}),
    ...(doc.body instanceof z.ZodOptional ? { [optionalBodyMark]: true } : {}),
    description: description ? `${description}\n\n${accessNotes[access]}` : accessNotes[access],
    security: securityOf[access],
    response,
  } as Declared<"params", Params> &
    Declared<"querystring", Query> &
    Declared<"body", Body> &
    Declared<"headers", Headers> & {
      operationId: string;
      summary: string;
      tags: string[];
      description: string;
      security: Record<string, string[]>[];
      consumes?: string[];
      response: ResponseSchemas<Responses> & Record<ErrorStatus, ReturnType<typeof problemResponse>>;
    };
}

/** The key with its schema when the route declares it, nothing otherwise (the type provider needs both). */
type Declared<Key extends string, Schema> = Schema extends z.ZodType ? { [K in Key]: Schema } : unknown;

/**
 * Every documented `/api/` route may answer 429: the gateway limits each address across the API
 * (services/gateway, rate-limits.ts). Declared here once rather than on each route.
 */
export function declareRateLimit(route: { url: string; schema?: { hide?: boolean; response?: unknown } }) {
  const response = route.schema?.response as Record<string, unknown> | undefined;
  if (!route.url.startsWith("/api/") || route.schema?.hide || !response || "429" in response) return;
  route.schema = {
    ...route.schema,
    response: { ...response, 429: problemResponse("Too many requests from this address; see Retry-After") },
  };
}

/**
 * Names a schema in the OpenAPI document: it becomes `components.schemas[id]` (with `${id}Input`
 * when it appears in a request), referred to by `$ref`, so generated clients get a named type. The
 * same as `.meta({ id })` on the declaration, for schemas declared elsewhere (contracts). Answers the
 * schema itself: a copy would not be recognised as the component.
 */
export function named<S extends z.ZodType>(schema: S, id: string): S {
  const existing = z.globalRegistry.get(schema);
  if (existing?.id === id) return schema;
  if (existing?.id !== undefined) {
    throw new Error(`The schema named ${existing.id} cannot also be named ${id}`);
  }
  if (existing) z.globalRegistry.remove(schema);
  z.globalRegistry.add(schema, { ...existing, id });
  return schema;
}

/**
 * Marks an operation whose body is optional: @fastify/swagger marks every request body required
 * (Fastify's JSON schema validation needs one), but zod validates an absent body against an optional
 * schema, so such a route takes none. document-completion.ts turns the mark into `required: false`.
 */
export const optionalBodyMark = "x-optional-body";
