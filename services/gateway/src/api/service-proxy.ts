import replyFrom from "@fastify/reply-from";
import { HttpProblem, sendProblem, tracingActive } from "@mercato/platform";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type RoutedService, serviceRoutes } from "../domain/routes-table.ts";
import type { ServiceUrls } from "../domain/service-urls.ts";

export interface ProxySettings {
  serviceUrls: ServiceUrls;
  /** How long to wait for a service to accept the connection and send its response headers. */
  timeoutMs: number;
}

/**
 * Bodies larger than the services take are refused here, with the 413 the service would give: a
 * service refusing a body it has not read closes the connection mid-upload, and the gateway would
 * see a broken connection instead of the answer. The largest body of any kind is a catalog image;
 * JSON bodies are limited on every route by the platform.
 */
const maxBodyBytes = 5 * 1024 * 1024;
const maxJsonBodyBytes = 1024 * 1024;

/**
 * A response body that stops flowing for this long is cut. Event streams (notifications) must
 * send something, a comment line will do, more often than this.
 */
const bodyIdleTimeoutMs = 60_000;

/**
 * Registers the routes of the services that run in other processes and forwards each request to
 * its service unchanged: method, path, query, headers (Authorization included) and the body as a
 * stream of bytes, whatever its type (the service applies its own limits, within those above). The
 * answer comes back as it is. Paths of services not configured have no route here: 404s.
 *
 * Register after the rate limits and the response cache: their hooks then apply to these routes.
 */
export async function forwardToServices(app: FastifyInstance, settings: ProxySettings): Promise<void> {
  await app.register(async (scope) => {
    // The body is not parsed here: the stream goes to the service as it arrives.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", (request, payload, done) => {
      const limit = /^application\/json\b/i.test(request.headers["content-type"] ?? "")
        ? maxJsonBodyBytes
        : maxBodyBytes;
      if (Number(request.headers["content-length"] ?? 0) > limit) done(tooLarge(limit), undefined);
      else done(null, payload);
    });
    await scope.register(replyFrom, {
      undici: {
        connect: { timeout: settings.timeoutMs },
        headersTimeout: settings.timeoutMs,
        bodyTimeout: bodyIdleTimeoutMs,
      },
      // Every attempt reaches the service once; a request is never sent twice behind the client's back.
      retryMethods: [],
      maxRetriesOn503: 0,
      disableCache: true,
      disableRequestLogging: true,
      destroyAgent: true,
    });
    const instances = new Map(
      [...settings.serviceUrls].map(([service, origins]) => [service, takingTurns(origins)]),
    );
    for (const route of serviceRoutes) {
      const nextOrigin = instances.get(route.service);
      if (nextOrigin === undefined) continue;
      scope.route({
        method: [...route.methods],
        url: route.path,
        exposeHeadRoute: false,
        schema: { hide: true },
        handler: (request, reply) => forward(request, reply, route.service, nextOrigin(), settings.timeoutMs),
      });
    }
  });
}

async function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  service: RoutedService,
  origin: string,
  timeoutMs: number,
): Promise<FastifyReply> {
  try {
    return reply.from(origin + request.url, {
      rewriteHeaders: withoutHopByHopHeaders,
      rewriteRequestHeaders: (incoming, headers) => ({
        ...withoutTraceContext(headers),
        // The service answers with the same request id, so one id follows the request through.
        "x-request-id": incoming.id,
        "x-forwarded-for": forwardedFor(headers["x-forwarded-for"], incoming.ip),
        // reply-from sets Host to the service's; SigV4 (/aws/events) signed the one the client addressed.
        "x-forwarded-host": incoming.headers.host ?? "",
      }),
      // reply-from types the reply for any server; this one is the HTTP/1 reply `forward` got.
      onError: (_failed, { error }) => {
        // A body the service did not take in full would hold the client's connection open.
        if (!request.raw.complete) reply.header("connection", "close");
        sendProblem(reply, unavailable(service, error, timeoutMs));
      },
    });
  } catch (error) {
    // reply-from refuses paths that climb out of the service's root ("/..", "%2e%2e") or do not decode.
    if (error instanceof URIError || (error as { statusCode?: number }).statusCode === 400) {
      throw HttpProblem.badRequest(
        `The path ${JSON.stringify(request.url)} has ".." segments or a malformed percent-encoding`,
      );
    }
    throw error;
  }
}

/**
 * With tracing on, the forwarded request carries the gateway's own trace context, which the
 * instrumentation of its HTTP client adds: the client's would go along too, and a service receiving
 * two `traceparent` headers starts a trace of its own. Without tracing, the client's passes through.
 */
function withoutTraceContext<Headers extends Record<string, unknown>>(headers: Headers): Headers {
  if (!tracingActive()) return headers;
  const { traceparent: _traceparent, tracestate: _tracestate, ...rest } = headers;
  return rest as Headers;
}

/** Round robin over a service's instances: each gets an equal share of its requests. */
function takingTurns(origins: readonly string[]): () => string {
  let next = 0;
  return () => {
    const origin = origins[next % origins.length] ?? "";
    next += 1;
    return origin;
  };
}

/** Headers about the service's connection to the gateway, not the gateway's to the client (RFC 9110, 7.6.1). */
const hopByHop = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
];

function withoutHopByHopHeaders<Headers extends Record<string, unknown>>(headers: Headers): Headers {
  const named = String(headers.connection ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase());
  const kept = { ...headers };
  for (const name of [...hopByHop, ...named]) delete kept[name];
  return kept;
}

function forwardedFor(previous: string | string[] | undefined, client: string): string {
  const earlier = Array.isArray(previous) ? previous.join(", ") : previous;
  return earlier ? `${earlier}, ${client}` : client;
}

function tooLarge(limit: number): HttpProblem {
  return new HttpProblem(
    413,
    "payload-too-large",
    `The request body is larger than the limit of ${limit} bytes`,
  );
}

/** Errors of a connection that was open: the service went away, or dropped a request it refused. */
const brokenConnection = new Set(["EPIPE", "ECONNRESET", "UND_ERR_SOCKET"]);

function unavailable(service: RoutedService, error: Error, timeoutMs: number): HttpProblem {
  const { statusCode, cause } = error as { statusCode?: number; cause?: { code?: string } };
  const code = cause?.code ?? (error as { code?: string }).code ?? "";
  const why =
    statusCode === 504
      ? `it did not answer within ${timeoutMs / 1000} s`
      : brokenConnection.has(code)
        ? "it closed the connection before answering"
        : "it cannot be reached";
  return HttpProblem.unavailable(`${service} is unavailable: ${why}`, 1);
}
