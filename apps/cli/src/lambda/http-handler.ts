import awsLambdaFastify, { type PromiseHandler } from "@fastify/aws-lambda";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type { LightMyRequestResponse } from "fastify";
import { containerHost, type LambdaHost } from "./lambda-host.ts";
import { drainDeadline, drainOutboxes } from "./outbox-drain.ts";

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Serves API Gateway HTTP API requests (payload format 2.0) with the host's Fastify app, the
 * gateway's limits and cache in front of the routes of the function's services as in a server.
 * The app is built at the container's cold start and reused by every invocation after it. Before
 * an invocation returns, the events its request committed are published (`drainOutboxes`).
 */
export function httpHandlerOf(lambdaHost: () => Promise<LambdaHost>): HttpHandler {
  const proxies = new WeakMap<LambdaHost, PromiseHandler<APIGatewayProxyEventV2>>();
  return async (event, context) => {
    const opened = await lambdaHost();
    let proxy = proxies.get(opened);
    if (!proxy) {
      proxy = awsLambdaFastify<APIGatewayProxyEventV2>(opened.host.app, {
        // The app is ready (its routes registered) before the first request; it takes no decorations.
        decorateRequest: false,
        enforceBase64: isBinary,
      }) as PromiseHandler<APIGatewayProxyEventV2>;
      proxies.set(opened, proxy);
    }
    const response = await proxy(withRequestTarget(event), context);
    await drainOutboxes(opened.host, drainDeadline(context));
    return response;
  };
}

/** The handler a function's configuration names: `http-handler.handler`. */
export const handler: HttpHandler = httpHandlerOf(containerHost);

/** Characters a URL's path cannot hold as they are (RFC 3986 pchar), and a `%` that encodes nothing. */
const notInPath = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/%]/gu;

/**
 * The request's path and query as the client sent them. API Gateway folds repeated query
 * parameters into one comma-joined value in `queryStringParameters`, which cannot be told from a
 * value that holds a comma, so the raw query string is passed on instead. An HTTP API passes
 * `rawPath` decoded (`%3F` arrives as `?`), so what cannot stand in a path as it is gets encoded
 * again, which leaves an encoded path as it was; a decoded `%` followed by two hex digits cannot be
 * told from an encoded character and stays one. A named stage's prefix (`/prod/api/...`) is taken
 * off the path (the `$default` stage has none).
 */
export function withRequestTarget(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const { stage } = event.requestContext;
  let path = event.rawPath;
  if (stage !== "$default" && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
    path = path.slice(stage.length + 1) || "/";
  }
  path = path.replace(notInPath, (character) => encodeURIComponent(character));
  const target = event.rawQueryString ? `${path}?${event.rawQueryString}` : path;
  return { ...event, rawPath: target, queryStringParameters: undefined };
}

/** Bodies API Gateway must carry base64-encoded: anything but text, and anything compressed. */
function isBinary(response: LightMyRequestResponse): boolean {
  const encoding = response.headers["content-encoding"];
  if (encoding && encoding !== "identity") return true;
  const type = String(response.headers["content-type"] ?? "")
    .split(";", 1)[0]
    ?.trim()
    .toLowerCase();
  if (!type) return false;
  return !(
    type.startsWith("text/") ||
    type === "application/json" ||
    type.endsWith("+json") ||
    type === "application/javascript" ||
    type === "application/xml" ||
    type.endsWith("+xml") ||
    type === "application/x-ndjson"
  );
}
