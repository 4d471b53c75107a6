import { asyncApiDocument } from "@mercato/contracts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Metrics } from "../metrics/registry.ts";
import { sendProblem } from "./errors.ts";
import { mergedOpenApi } from "./merged-openapi.ts";
import { binaryBody, operation } from "./operation.ts";
import type { PeerProcesses } from "./peer-processes.ts";
import { HttpProblem } from "./problem.ts";

/** A check's value is `"ok"` when it passes; anything else says what is wrong. */
export interface ReadinessReport {
  ok: boolean;
  checks: Record<string, string>;
  /** Work the process does in the background while it serves, by name (e.g. `demoShop`). */
  progress?: Record<string, string>;
}

export interface OperationalRoutesOptions {
  metrics: Metrics;
  ready?: () => Promise<ReadinessReport>;
  /** The deployment's other processes, whose operations the OpenAPI document describes too. */
  peers?: PeerProcesses;
}

const tags = ["operations"];

/** Liveness, readiness, Prometheus metrics, the OpenAPI document and the AsyncAPI document. */
export const operationalRoutes: FastifyPluginAsyncZod<OperationalRoutesOptions> = async (app, options) => {
  const { registry } = options.metrics;

  app.get(
    "/health/live",
    {
      schema: operation({
        operationId: "getLiveness",
        tags,
        summary: "The process is up",
        access: "public",
        responses: { 200: { description: "Up", schema: z.object({ status: z.literal("ok") }) } },
      }),
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/health/ready",
    {
      schema: operation({
        operationId: "getReadiness",
        tags,
        summary: "The process can serve: every dependency check passes",
        access: "public",
        responses: {
          200: {
            description: "Ready",
            schema: z.object({
              status: z.literal("ok"),
              checks: z.record(z.string(), z.string()),
              progress: z
                .record(z.string(), z.string())
                .describe("Background work of the process, e.g. `demoShop: loading 106/220`"),
            }),
          },
        },
        errors: { 503: "A check failed; `checks` holds every check's outcome" },
      }),
    },
    async (request, reply) => {
      const report = await readiness(options.ready, request.log);
      if (report.ok) return { status: "ok" as const, checks: report.checks, progress: report.progress ?? {} };
      const failing = Object.keys(report.checks).filter((name) => report.checks[name] !== "ok");
      const detail =
        failing.length > 0 ? `Failing checks: ${failing.join(", ")}` : "The service reports itself not ready";
      return sendProblem(reply, new HttpProblem(503, "not-ready", detail), { checks: report.checks });
    },
  );

  app.get(
    "/metrics",
    {
      schema: operation({
        operationId: "getMetrics",
        tags,
        summary: "Prometheus metrics in the text exposition format",
        access: "public",
        responses: { 200: { description: "The metrics", schema: binaryBody, mediaTypes: ["text/plain"] } },
      }),
    },
    async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()),
  );

  app.get("/openapi.json", { schema: { hide: true } }, async () =>
    options.peers?.any ? mergedOpenApi(app.swagger(), options.peers) : app.swagger(),
  );

  // The event contract: every event's schema in its envelope, who sends and who receives it
  // (packages/contracts/src/asyncapi.ts; also docs/asyncapi.json).
  app.get("/asyncapi.json", { schema: { hide: true } }, async () => asyncApiDocument());
};

async function readiness(
  ready: (() => Promise<ReadinessReport>) | undefined,
  log: { error: (object: object, message: string) => void },
): Promise<ReadinessReport> {
  if (ready === undefined) return { ok: true, checks: {} };
  try {
    return await ready();
  } catch (error) {
    log.error({ err: error }, "readiness check threw");
    return { ok: false, checks: { ready: "the readiness check threw; see the server log" } };
  }
}
