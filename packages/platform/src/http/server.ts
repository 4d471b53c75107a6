import type { IncomingMessage, Server, ServerResponse } from "node:http";
import fastifyHelmet from "@fastify/helmet";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/registry.ts";
import { answerClientError, answerUnmetExpectations } from "./client-errors.ts";
import { refuseWhileClosing } from "./closing.ts";
import { withOptionalBodies, withoutUnusedSchemas, withServerAnswers } from "./document-completion.ts";
import { handleError, notFoundHandler } from "./errors.ts";
import { acceptOnlyJsonBodies } from "./json-body.ts";
import { declareRateLimit, securitySchemes } from "./operation.ts";
import { operationalRoutes, type ReadinessReport } from "./operational-routes.ts";
import type { PeerProcesses } from "./peer-processes.ts";
import { correlationIdOf, requestIdOf } from "./request-id.ts";
import { RequestLifecycle } from "./request-lifecycle.ts";
import { baselineSecurityHeaders, helmetOptions, pageDirectives } from "./security-headers.ts";
import { refuseUnsafeText } from "./text-input.ts";
import { normalizeUrlPath } from "./url-path.ts";

export type HttpServer = FastifyInstance<
  Server,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  ZodTypeProvider
>;

export interface HttpServerOptions {
  logger: Logger;
  metrics: Metrics;
  /** Largest request body accepted, in bytes; default 1 MiB. */
  bodyLimitBytes?: number;
  /** The OpenAPI document's title and version. */
  title: string;
  version: string;
  /** Dependency checks behind `GET /health/ready`; without it the server is ready once it listens. */
  ready?: () => Promise<ReadinessReport>;
  /** The deployment's other processes (a distributed gateway's), merged into `/openapi.json`. */
  peers?: PeerProcesses;
}

const defaultBodyLimitBytes = 1024 * 1024;

/**
 * A Fastify server with zod schemas, problem+json errors, request ids, request logs, metrics,
 * health checks and OpenAPI docs (`/openapi.json`, `/docs`).
 *
 * Declare routes inside `app.register(plugin)`: the OpenAPI plugin loads when the server boots, so a
 * route added directly on the returned instance would be missing from the document, and is refused.
 *
 * Request ids, request log lines and the duration histogram are handled by `RequestLifecycle`; see
 * there for which log level the lines take and why.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const base = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    logController: new RequestLifecycle(options.metrics),
    requestIdHeader: false,
    genReqId: requestIdOf,
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) => {
      const requestId = String(bindings.requestId);
      const context = { requestId, correlationId: correlationIdOf(rawRequest.headers, requestId) };
      // Without options pino takes its fast path; Fastify passes `{}` unless the route sets a level.
      return Object.keys(childOptions).length === 0
        ? logger.child(context)
        : logger.child(context, childOptions);
    },
    // Rate limits, the cache and logs read the URL as the router will (see url-path.ts).
    rewriteUrl: (request) => normalizeUrlPath(request.url ?? "/"),
    // Errors met before routing (an undecodable URL): the same problem answers as any other error.
    // No hook runs for them, so the security headers come along here.
    frameworkErrors: (error, request, reply) =>
      handleError(error, request, reply.headers(baselineSecurityHeaders)),
    clientErrorHandler: answerClientError,
    // Fastify's own 503 while closing has a body of its own; closing.ts answers with a problem.
    return503OnClosing: false,
  });
  answerUnmetExpectations(base.server);
  acceptOnlyJsonBodies(base);
  const app: HttpServer = base.withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.decorateRequest("correlationId", {
    getter(this: FastifyRequest) {
      return correlationIdOf(this.headers, this.id);
    },
  });

  app.addHook("onRoute", function refuseUndocumentedRoute(route) {
    if (!this.hasDecorator("swagger")) {
      throw new Error(
        `Route ${route.method} ${route.url} was declared before the server booted; declare it inside app.register(...) so it reaches the OpenAPI document`,
      );
    }
  });

  app.addHook("onRoute", declareRateLimit);

  app.setNotFoundHandler(notFoundHandler(base));
  refuseWhileClosing(base);
  app.addHook("preValidation", refuseUnsafeText);
  app.register(fastifyHelmet, helmetOptions);

  app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: options.title, version: options.version },
      servers: [{ url: "/", description: "This server" }],
      components: { securitySchemes },
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      withServerAnswers(withOptionalBodies(withoutUnusedSchemas(jsonSchemaTransformObject(document)))),
  });
  app.register(fastifySwaggerUi, { routePrefix: "/docs", staticCSP: pageDirectives });
  app.register(operationalRoutes, { metrics: options.metrics, ready: options.ready, peers: options.peers });

  return app;
}
