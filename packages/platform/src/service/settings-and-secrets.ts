import { ConfigError, type PlatformConfig } from "../config.ts";
import { createSealedBox } from "../secrets/sealed-box.ts";
import { loadSecretKey } from "../secrets/secret-key.ts";
import type { ServiceDefinition, ServiceSecrets } from "./definition.ts";

/** The definition's settings schema over the environment, then any overrides. */
export function parseSettings<DB, Settings, Resources>(
  definition: ServiceDefinition<DB, Settings, Resources>,
  env: Record<string, string | undefined>,
): Settings {
  const overrides = definition.overrides?.settings;
  const schema = definition.settings;
  if (!schema) return { ...overrides } as Settings;
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map(
        (issue) => `${definition.name}: ${issue.path.join(".") || "(settings)"} ${issue.message}`,
      ),
    );
  }
  return { ...parsed.data, ...overrides } as Settings;
}

/** The secrets the definition declares: given ones as they are, the others loaded. */
export async function loadSecrets<DB, Settings, Resources>(
  definition: ServiceDefinition<DB, Settings, Resources>,
  config: PlatformConfig,
): Promise<Partial<ServiceSecrets>> {
  const given = definition.overrides?.secrets ?? {};
  const secrets = { ...given };
  if (definition.secrets?.includes("sealedBox") && !given.sealedBox) {
    secrets.sealedBox = createSealedBox(await loadSecretKey(config.secretKey, config.dataDir));
  }
  return secrets;
}

/** `secrets` as services read them: one that was not declared throws when read. */
export function secretsView(secrets: Partial<ServiceSecrets>, service: string): ServiceSecrets {
  return {
    get sealedBox() {
      if (!secrets.sealedBox)
        throw new Error(`${service} uses the sealed box without declaring secrets: ["sealedBox"]`);
      return secrets.sealedBox;
    },
  };
}
