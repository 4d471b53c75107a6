export { sendProblem } from "./errors.ts";
export { maxJsonDepth, nestsDeeperThan } from "./json-body.ts";
export {
  cursorFields,
  decodeCursor,
  encodeCursor,
  type ListQuery,
  listQuerySchema,
  listResponseSchema,
  pageOf,
} from "./list.ts";
export { type Access, binaryBody, named, operation, securitySchemes, standardErrors } from "./operation.ts";
export type { ReadinessReport } from "./operational-routes.ts";
export {
  type FieldProblem,
  HttpProblem,
  type ProblemBody,
  problemContentType,
  problemResponse,
  problemSchema,
  problemType,
} from "./problem.ts";
export { correlationIdHeader, requestIdHeader } from "./request-id.ts";
export { pageDirectives } from "./security-headers.ts";
export { createHttpServer, type HttpServer, type HttpServerOptions } from "./server.ts";
export { findTextProblems } from "./text-input.ts";
