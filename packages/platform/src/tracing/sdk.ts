import { FastifyOtelInstrumentation } from "@fastify/otel";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { UndiciInstrumentation } from "@opentelemetry/instrumentation-undici";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { tracingStarted } from "./trace-context.ts";

type Env = Record<string, string | undefined>;

/**
 * Tracing is on when an OTLP endpoint is configured (OTEL_EXPORTER_OTLP_ENDPOINT, or the
 * traces-only OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and OTEL_SDK_DISABLED is not "true".
 */
export function tracingConfigured(env: Env = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** `mercato-<service>` for one service, `mercato` for the whole platform in one process. */
export function defaultServiceName(services: string[]): string {
  return services.length === 0 ? "mercato" : `mercato-${services.join("-")}`;
}

let started = false;

/**
 * Starts OpenTelemetry's Node SDK for this process, exporting traces over OTLP. Everything else
 * comes from the standard OTEL_* variables (protocol, headers, sampler, batch delays, resource
 * attributes, propagators); OTEL_SERVICE_NAME wins over the name derived from the services.
 * Metrics stay with Prometheus (/metrics) and logs with stdout unless OTEL_METRICS_EXPORTER or
 * OTEL_LOGS_EXPORTER ask for OTLP too (the SDK would otherwise export both by default).
 *
 * Must run before `pg` is first loaded: its instrumentation patches the driver's CommonJS files
 * as `require` loads them, which is why the bundle leaves `pg` in node_modules (scripts/build.mjs)
 * and the `mercato` command starts tracing before it loads the bundle (apps/cli/bin/mercato.js).
 * Fastify is bundled: @fastify/otel attaches to each instance through Fastify's
 * `fastify.initialization` diagnostics channel, and undici (fetch, and the gateway's proxy) reports
 * requests on diagnostics channels too, so neither needs patching.
 *
 * Returns false, starting nothing, when tracing is not configured or already runs.
 */
export function startTracing(options: { services: string[] }): boolean {
  const env = process.env;
  if (!tracingConfigured(env) || started) return false;
  started = true;
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : defaultServiceName(options.services),
    ...(env.OTEL_METRICS_EXPORTER ? {} : { metricReaders: [] }),
    ...(env.OTEL_LOGS_EXPORTER ? {} : { logRecordProcessors: [] }),
    instrumentations: [
      new FastifyOtelInstrumentation({
        registerOnInitialization: true,
        // Each hook would add a span to every request. The handler keeps its span: wrapping it is
        // what runs it in the request's context once the body has arrived, and so what parents the
        // statements, calls and events it makes.
        instrumentHooks: false,
        lifecycleHook: (span, { hookName, request }) => {
          if (hookName === "handler") span.updateName(`handler ${request.routeOptions.url ?? ""}`.trimEnd());
        },
        ignorePaths: ({ url }) => url.startsWith("/health/") || url === "/metrics",
        // Named as HTTP server spans are (method and route) rather than the plugin's "request".
        requestHook: (span, request) =>
          span.updateName(`${request.method} ${request.routeOptions.url ?? ""}`.trimEnd()),
      }),
      // Outgoing calls and statements outside any request or event (polls, the relay's reads)
      // would each start a trace of their own, every second, in every process.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      // Taking a pooled connection is no statement: its two spans per transaction cost more than
      // they tell.
      new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true }),
    ],
  });
  sdk.start();
  tracingStarted(() => sdk.shutdown());
  return true;
}
