import { z } from "zod";

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
});

export interface GatewaySettings {
  requestsPerMinute: number;
  cacheTtlMs: number;
}

/** The gateway's own settings, from the environment, with the problems named when invalid. */
export function gatewaySettings(env: Record<string, string | undefined> = process.env): GatewaySettings {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) =>
        `${String(issue.path[0])} ${issue.message} (got ${JSON.stringify(present[String(issue.path[0])])})`,
    );
    throw new Error(`Invalid gateway configuration: ${problems.join("; ")}`);
  }
  return {
    requestsPerMinute: parsed.data.MERCATO_RATE_LIMIT_PER_MINUTE,
    cacheTtlMs: parsed.data.MERCATO_CACHE_TTL_SECONDS * 1000,
  };
}
