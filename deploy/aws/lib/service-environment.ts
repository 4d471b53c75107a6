import { Aws } from "aws-cdk-lib";
import type { AppSecrets } from "./app-secrets.ts";
import type { Database } from "./database.ts";
import type { MediaBucket } from "./media-bucket.ts";
import type { ServicePlan } from "./service-plan.ts";
import type { DeploymentSettings } from "./settings.ts";

/** The service that creates the first admin (MERCATO_ADMIN_EMAIL, MERCATO_ADMIN_PASSWORD). */
const firstAdminService = "identity";

/** What every service's settings are made of, whatever runs it. */
export interface EnvironmentSources {
  settings: DeploymentSettings;
  busName: string;
  database: Database;
  media: MediaBucket;
  secrets: AppSecrets;
  /** MERCATO_PUBLIC_URL: the shop's address, in emails and as a Lambda host's own URL. */
  publicUrl: string;
}

/** The plain variables of a service (docs/configuration.md), none of them secret. */
export function plainEnvironment(
  plan: ServicePlan,
  sources: EnvironmentSources,
  poolSize: number,
): Record<string, string> {
  return {
    BUS_URL: `aws://${Aws.REGION}/${sources.busName}`,
    MERCATO_BUS_PREFIX: sources.settings.prefix,
    // The credentials come from PGUSER and PGPASSWORD (secretVariables).
    DATABASE_URL: sources.database.urlWithoutCredentials,
    MERCATO_DATABASE_POOL_SIZE: String(poolSize),
    MERCATO_SEED: "none",
    MERCATO_PUBLIC_URL: sources.publicUrl,
    LOG_LEVEL: "info",
    // Tasks and function containers of one service run side by side: one outbox order across them.
    MERCATO_OUTBOX_ORDER: "service",
    ...(plan.usesBlobs ? { BLOB_URL: sources.media.blobUrl } : {}),
    ...(plan.name === firstAdminService ? { MERCATO_ADMIN_EMAIL: sources.settings.adminEmail } : {}),
  };
}

/** A secret variable: which secret, and which JSON field of it (the whole value when absent). */
export interface SecretVariable {
  secret: AppSecrets["opsToken"] | Database["secret"];
  field?: string;
}

/**
 * The secret variables of a service: the database user (node-postgres reads PGUSER and
 * PGPASSWORD for what DATABASE_URL leaves out), the operations token, the sealing key for the
 * services that declare the sealed box only, and the first admin's password for identity.
 */
export function secretVariables(
  plan: ServicePlan,
  sources: EnvironmentSources,
): Record<string, SecretVariable> {
  const database = sources.database.secret;
  return {
    PGUSER: { secret: database, field: "username" },
    PGPASSWORD: { secret: database, field: "password" },
    MERCATO_OPS_TOKEN: { secret: sources.secrets.opsToken },
    ...(plan.sealsTokens ? { MERCATO_SECRET_KEY: { secret: sources.secrets.secretKey } } : {}),
    ...(plan.name === firstAdminService
      ? { MERCATO_ADMIN_PASSWORD: { secret: sources.secrets.adminPassword } }
      : {}),
  };
}
