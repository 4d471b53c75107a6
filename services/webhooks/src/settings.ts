import { isIP } from "node:net";
import { z } from "zod";

const day = 24 * 60 * 60 * 1000;
const hostName = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

/** `a.example, 127.0.0.1, [::1]` -> the hosts as URLs name them (lowercase, IPv6 without brackets). */
const allowedHosts = z
  .string()
  .default("")
  .transform((list, context) => {
    const hosts = list
      .split(",")
      .map((entry) =>
        entry
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, "$1"),
      )
      .filter((entry) => entry.length > 0);
    for (const host of hosts) {
      if (!hostName.test(host) && isIP(host) === 0) {
        context.addIssue({
          code: "custom",
          message: `lists "${host}", which is not a host name or an IP address (no scheme, port or path)`,
        });
      }
    }
    return new Set(hosts);
  });

/** Webhooks' settings, read from the environment by the host (docs/configuration.md). */
export const webhooksSettings = z
  .object({
    MERCATO_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
    MERCATO_WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(0).max(3_600_000).default(1_000),
    MERCATO_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    MERCATO_WEBHOOK_ALLOWED_HOSTS: allowedHosts,
    MERCATO_WEBHOOK_SYNC_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
    MERCATO_WEBHOOK_LOG_RETENTION_MS: z.coerce
      .number()
      .int()
      .min(day)
      .default(30 * day),
  })
  .transform((env) => ({
    /** Attempts per event before it goes to the webhook's dead-letter queue (its maxReceiveCount). */
    maxAttempts: env.MERCATO_WEBHOOK_MAX_ATTEMPTS,
    /** The first retry's delay; each next one doubles, with full jitter. */
    retryBaseMs: env.MERCATO_WEBHOOK_RETRY_BASE_MS,
    /** How long one attempt waits for the receiver's answer. */
    timeoutMs: env.MERCATO_WEBHOOK_TIMEOUT_MS,
    /** Hosts exempt from the address checks (a receiver on this machine or a private network). */
    allowedHosts: env.MERCATO_WEBHOOK_ALLOWED_HOSTS as ReadonlySet<string>,
    /** How often a process starts consuming the queues of webhooks made by other processes. */
    syncMs: env.MERCATO_WEBHOOK_SYNC_MS,
    /** How long the delivery log keeps an attempt. */
    logRetentionMs: env.MERCATO_WEBHOOK_LOG_RETENTION_MS,
  }));

export type WebhooksSettings = z.infer<typeof webhooksSettings>;
