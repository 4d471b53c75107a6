export { sendProblem } from "./errors.ts";
export {
  cursorFields,
  decodeCursor,
  encodeCursor,
  type ListQuery,
  listQuerySchema,
  listResponseSchema,
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
export { createHttpServer, type HttpServer, type HttpServerOptions } from "./server.ts";
