import { eventEnvelopeSchema } from "@mercato/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { authenticate } from "../auth/require-user.ts";
import { compilePattern, InvalidPatternError } from "../bus/patterns/index.ts";
import type { Transport } from "../bus/transport.ts";
import { HttpProblem } from "../http/index.ts";
import { named, operation } from "../http/operation.ts";
import type { PeerProcesses, UnavailablePeer } from "../http/peer-processes.ts";
import type { AlertEvaluator } from "./alerts/alert-evaluator.ts";
import { distinctBy, mergeQueueStats } from "./merge-answers.ts";
import { bearerMatches } from "./ops-token.ts";

const queueName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,79}$/, "must be a queue name like catalog-stock-levels");
const jsonObject = z.record(z.string(), z.unknown());

const tags = ["operations"];
const noQueue = { 404: "No such queue" };

const queueStats = z.object({
  name: z.string(),
  depth: z.number(),
  inFlight: z.number(),
  delayed: z.number(),
  dlqDepth: z.number(),
  oldestAgeMs: z.number(),
  processed: z.number(),
  failed: z.number(),
});
named(queueStats, "QueueStats");

const deadLetter = z.object({
  id: z.string(),
  event: eventEnvelopeSchema,
  receiveCount: z.number(),
  attempts: z.array(z.object({ at: z.string(), error: z.string() })),
  lastError: z.string(),
  firstFailedAt: z.string(),
});
named(deadLetter, "DeadLetter");

const alert = z.object({
  name: z.string(),
  severity: z.enum(["critical", "warning"]),
  since: z.iso.datetime(),
  summary: z.string(),
});
named(alert, "Alert");

const unavailablePeers = z
  .array(z.object({ process: z.string(), reason: z.string() }))
  .optional()
  .describe("Distributed: the processes that did not answer; their part is missing from the list");
const rule = z.object({ name: z.string(), eventPattern: jsonObject, target: z.string() });

/**
 * The operations API (api.md, "Operations"): queues, dead letters, redrive, purge, rules,
 * patterns, alerts. With peers (a distributed deployment's gateway), the lists cover every
 * process and a queue's routes reach the process that runs it, so one address operates them all.
 */
export function registerOpsRoutes(
  app: FastifyInstance,
  options: { transport: Transport; authorize: OpsAuthorizer; alerts: AlertEvaluator; peers: PeerProcesses },
): void {
  const { transport, alerts, peers } = options;
  const api = app.withTypeProvider<ZodTypeProvider>();
  const requireAdmin = async (request: FastifyRequest) => {
    const verdict = await options.authorize(request);
    if (verdict === "unauthenticated") {
      throw HttpProblem.unauthorized("A valid operations token or admin access token is required");
    }
    if (verdict === "forbidden") throw HttpProblem.forbidden("Operations need the admin role");
  };
  /**
   * Whether the request went to another process: when this one does not run the queue, the
   * request is handed as it came to the peer that does, and its answer is sent back.
   */
  const relayedToOwner = async (name: string, request: FastifyRequest, reply: FastifyReply) => {
    if ((await transport.stats()).some((queue) => queue.name === name)) return false;
    const owner = peers.any ? await peers.owner(name, request.headers.authorization) : undefined;
    if (owner === undefined) throw HttpProblem.notFound(`Queue ${name} does not exist`);
    const answer = await peers.send(
      owner,
      request.method === "GET" ? "GET" : "POST",
      request.url,
      request.headers.authorization,
      request.method === "GET" ? undefined : (request.body ?? {}),
    );
    await reply.code(answer.status).type(answer.contentType).send(answer.body);
    return true;
  };
  /** The local list, or with peers the lists of every process made one by `combine`. */
  const fromEveryProcess = async <T>(
    path: string,
    request: FastifyRequest,
    local: T[],
    combine: (lists: T[][]) => T[],
  ): Promise<{ items: T[]; unavailable?: UnavailablePeer[] }> => {
    if (!peers.any) return { items: local };
    const { answers, unavailable } = await peers.gather<{ items: T[] }>(path, request.headers.authorization);
    return {
      items: combine([local, ...answers.map((answer) => answer.items)]),
      ...(unavailable.length > 0 ? { unavailable } : {}),
    };
  };

  api.get(
    "/api/ops/queues",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "listQueues",
        tags,
        summary: "Every queue with its depth and counters",
        access: "ops",
        responses: {
          200: {
            description: "The queues",
            schema: z.object({ items: z.array(queueStats), unavailable: unavailablePeers }),
          },
        },
      }),
    },
    async (request) => fromEveryProcess("/api/ops/queues", request, await transport.stats(), mergeQueueStats),
  );

  api.get(
    "/api/ops/queues/:name/dlq",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "listDeadLetters",
        tags,
        summary: "A queue's dead letters, oldest first",
        access: "ops",
        params: z.object({ name: queueName }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        responses: {
          200: { description: "The dead letters", schema: z.object({ items: z.array(deadLetter) }) },
        },
        errors: noQueue,
      }),
    },
    async (request, reply) => {
      if (await relayedToOwner(request.params.name, request, reply)) return reply;
      return { items: await transport.deadLetters(request.params.name, { limit: request.query.limit }) };
    },
  );

  api.post(
    "/api/ops/queues/:name/redrive",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "redriveDeadLetters",
        tags,
        summary: "Move a queue's dead letters (all, or those named) back to the queue",
        access: "ops",
        params: z.object({ name: queueName }),
        body: z
          .object({ ids: z.array(z.string().min(1).max(200)).min(1).max(1000).optional() })
          .strict()
          .default({}),
        responses: { 200: { description: "How many moved", schema: z.object({ moved: z.number() }) } },
        errors: noQueue,
      }),
    },
    async (request, reply) => {
      if (await relayedToOwner(request.params.name, request, reply)) return reply;
      return { moved: await transport.redrive(request.params.name, request.body.ids) };
    },
  );

  api.post(
    "/api/ops/queues/:name/purge",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "purgeQueue",
        tags,
        summary: "Drop every message of a queue; its dead letters stay",
        access: "ops",
        params: z.object({ name: queueName }),
        responses: { 204: "empty" },
        errors: noQueue,
      }),
    },
    async (request, reply) => {
      if (await relayedToOwner(request.params.name, request, reply)) return reply;
      await transport.purge(request.params.name);
      return reply.code(204).send(null);
    },
  );

  api.get(
    "/api/ops/rules",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "listRules",
        tags,
        summary: "The bus's routing rules: which events reach which queue",
        access: "ops",
        responses: {
          200: {
            description: "The rules",
            schema: z.object({ items: z.array(rule), unavailable: unavailablePeers }),
          },
        },
      }),
    },
    async (request) => {
      const local = (await transport.listRules()).map((rule) => ({
        name: rule.name,
        eventPattern: rule.eventPattern,
        target: rule.queue,
      }));
      return fromEveryProcess("/api/ops/rules", request, local, (lists) =>
        distinctBy(lists.flat(), (rule) => rule.name),
      );
    },
  );

  api.post(
    "/api/ops/test-event-pattern",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "testEventPattern",
        tags,
        summary: "Whether an event pattern matches an event",
        access: "ops",
        body: z.object({ eventPattern: jsonObject, event: jsonObject }).strict(),
        responses: { 200: { description: "The verdict", schema: z.object({ result: z.boolean() }) } },
        errors: { 400: "The request is invalid, or the pattern is not a valid event pattern" },
      }),
    },
    async (request) => {
      try {
        return { result: compilePattern(request.body.eventPattern).matches(request.body.event) };
      } catch (error) {
        if (error instanceof InvalidPatternError)
          throw HttpProblem.badRequest(`Invalid event pattern: ${error.message}`);
        throw error;
      }
    },
  );

  api.get(
    "/api/ops/alerts",
    {
      preHandler: requireAdmin,
      schema: operation({
        operationId: "listAlerts",
        tags,
        summary: "The alerts firing now in this process, most severe and oldest first",
        description:
          "The rules of deploy/prometheus/alerts.yml evaluated on this process's own metrics: a dead-letter queue not empty, a queue's oldest message older than MERCATO_ALERT_QUEUE_AGE_SECONDS, a queue's handler error rate above MERCATO_ALERT_ERROR_RATE, an order pending longer than MERCATO_ALERT_PENDING_ORDER_SECONDS.",
        access: "ops",
        responses: {
          200: {
            description: "The alerts",
            schema: z.object({ items: z.array(alert), unavailable: unavailablePeers }),
          },
        },
      }),
    },
    async (request) =>
      fromEveryProcess("/api/ops/alerts", request, await alerts.firing(), (lists) =>
        distinctBy(lists.flat(), (firing) => `${firing.name}\n${firing.summary}`),
      ),
  );
}

/** Who may use the operations API: admins; anyone else is refused with 401 or 403. */
export type OpsAuthorizer = (request: FastifyRequest) => Promise<"admin" | "forbidden" | "unauthenticated">;

/** Accepts the operations token, or an admin's access token. */
export function opsAuthorizer(opsToken: string): OpsAuthorizer {
  return async (request) => {
    if (bearerMatches(request.headers.authorization, opsToken)) return "admin";
    const user = await authenticate(request).catch(() => undefined);
    if (!user) return "unauthenticated";
    return user.roles.includes("admin") ? "admin" : "forbidden";
  };
}
