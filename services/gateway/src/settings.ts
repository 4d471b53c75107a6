import { ConfigError } from "@mercato/platform";
import { z } from "zod";
import { parseServiceUrls, type ServiceUrls } from "./domain/service-urls.ts";

const settingsSchema = z.object({
  MERCATO_RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(1200),
  MERCATO_CACHE_TTL_SECONDS: z.coerce
    .number({ message: "must be a number" })
    .min(0, "must be 0 (no caching) or more")
    .max(3600, "must be at most 3600")
    .default(30),
  MERCATO_SERVICE_URLS: z.string().optional(),
});

export interface GatewaySettings {
  requestsPerMinute: number;
  cacheTtlMs: number;
  /**
   * Where the services run when they are in other processes: the gateway then forwards their
   * paths over HTTP. Absent: the services run in this process and the gateway only stands in front.
   */
  serviceUrls?: ServiceUrls;
  /** How long a forwarded request waits for its service to answer; 10 s when absent. */
  upstreamTimeoutMs?: number;
}

/** The gateway's own settings, from the environment, with every problem named when invalid. */
export function gatewaySettings(env: Record<string, string | undefined> = process.env): GatewaySettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = settingsSchema.safeParse(present);
  const problems = (parsed.error?.issues ?? []).map(
    (issue) =>
      `${String(issue.path[0])} ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`,
  );
  const serviceUrls =
    present.MERCATO_SERVICE_URLS === undefined ? undefined : parseServiceUrls(present.MERCATO_SERVICE_URLS);
  for (const problem of serviceUrls?.problems ?? []) problems.push(`MERCATO_SERVICE_URLS ${problem}`);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return {
    requestsPerMinute: parsed.data.MERCATO_RATE_LIMIT_PER_MINUTE,
    cacheTtlMs: parsed.data.MERCATO_CACHE_TTL_SECONDS * 1000,
    ...(serviceUrls ? { serviceUrls: serviceUrls.urls } : {}),
  };
}

/** The schema the host parses the environment with: `gatewaySettings` over every variable. */
export const gatewaySettingsSchema = z
  .record(z.string(), z.string().optional())
  .transform((env): GatewaySettings => gatewaySettings(env));
