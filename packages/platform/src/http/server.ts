import type { IncomingMessage, Server, ServerResponse } from "node:http";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Logger } from "../log.ts";
import type { Metrics } from "../metrics/registry.ts";
import { handleError, handleFrameworkError, notFoundHandler } from "./errors.ts";
import { acceptOnlyJsonBodies } from "./json-body.ts";
import { operationalRoutes, type ReadinessReport } from "./operational-routes.ts";
import { correlationIdOf, requestIdHeader, requestIdOf } from "./request-id.ts";

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
}

const defaultBodyLimitBytes = 1024 * 1024;

/** The `route` label of requests no route matched, so unknown URLs cannot grow the label set. */
const unmatchedRoute = "unmatched";

/**
 * A Fastify server with zod schemas, problem+json errors, request ids, request logs, metrics,
 * health checks and OpenAPI docs (`/openapi.json`, `/docs`).
 *
 * Declare routes inside `app.register(plugin)`: the OpenAPI plugin loads when the server boots, so a
 * route added directly on the returned instance would be missing from the document, and is refused.
 *
 * Each request writes one log line at `info` with method, route, path, status and duration, never
 * headers. Pino formats it synchronously but writes it through a buffered stream; measured on a
 * trivial route it costs a few percent of throughput, so it stays at `info`.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const loggerInstance: FastifyBaseLogger = options.logger;
  const base = Fastify({
    loggerInstance,
    bodyLimit: options.bodyLimitBytes ?? defaultBodyLimitBytes,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: "requestId" }),
    requestIdHeader: false,
    genReqId: requestIdOf,
    childLoggerFactory: (logger, bindings, childOptions, rawRequest) =>
      logger.child(
        { ...bindings, correlationId: correlationIdOf(rawRequest.headers, String(bindings.requestId)) },
        childOptions,
      ),
    frameworkErrors: handleFrameworkError,
  });
  acceptOnlyJsonBodies(base);
  const app: HttpServer = base.withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.decorateRequest("correlationId", "");

  app.addHook("onRoute", function refuseUndocumentedRoute(route) {
    if (!this.hasDecorator("swagger")) {
      throw new Error(
        `Route ${route.method} ${route.url} was declared before the server booted; declare it inside app.register(...) so it reaches the OpenAPI document`,
      );
    }
  });

  app.addHook("onRequest", (request, reply, done) => {
    reply.header(requestIdHeader, request.id);
    request.correlationId = correlationIdOf(request.headers, request.id);
    done();
  });

  const { httpRequestDuration } = options.metrics;
  app.addHook("onResponse", (request, reply, done) => {
    const route = request.is404 ? unmatchedRoute : (request.routeOptions.url ?? unmatchedRoute);
    const durationMs = reply.elapsedTime;
    httpRequestDuration.observe(
      { method: request.method, route, status_code: reply.statusCode },
      durationMs / 1000,
    );
    const queryStart = request.url.indexOf("?");
    request.log.info(
      {
        method: request.method,
        route,
        path: queryStart === -1 ? request.url : request.url.slice(0, queryStart),
        statusCode: reply.statusCode,
        durationMs: Math.round(durationMs * 100) / 100,
      },
      "request completed",
    );
    done();
  });

  app.setNotFoundHandler(notFoundHandler(base));

  app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: { title: options.title, version: options.version },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  app.register(fastifySwaggerUi, { routePrefix: "/docs" });
  app.register(operationalRoutes, { metrics: options.metrics, ready: options.ready });

  return app;
}
