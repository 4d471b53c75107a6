import { ConfigError, loadConfig, type PlatformConfig } from "@mercato/platform";
import { selectServices, serviceCatalog } from "../services.ts";

export interface LambdaEnvironment {
  config: PlatformConfig;
  services: ReturnType<typeof selectServices>;
  /** Where the function's HTTP API is reached (MERCATO_PUBLIC_URL): the host's URL. */
  publicUrl: string;
}

/**
 * A Lambda function's settings: the platform's configuration, the services it runs (MERCATO_SERVICES,
 * comma-separated, every service when unset, as `mercato start` without `--service`) and its public
 * URL. Values a server would generate into its data directory must be given: each container has a
 * /tmp of its own, so a generated ops token, or secret key for the services that seal tokens, would
 * differ from one container to the next. Throws ConfigError naming every problem at once.
 */
export function lambdaEnvironment(env: Record<string, string | undefined> = process.env): LambdaEnvironment {
  const problems: string[] = [];
  let config: PlatformConfig | undefined;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const names = (env.MERCATO_SERVICES ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== "");
  const unknown = names.filter((name) => !serviceCatalog.some((entry) => entry.name === name));
  if (unknown.length > 0) {
    problems.push(
      `MERCATO_SERVICES names ${unknown.join(", ")}; services are: ${serviceCatalog.map((entry) => entry.name).join(", ")}`,
    );
  }
  const publicUrl = publicUrlOf(env.MERCATO_PUBLIC_URL, problems);
  const services = unknown.length > 0 ? [] : selectServices(names);
  const generated = ["MERCATO_OPS_TOKEN"];
  if (services.some((service) => service.secrets?.includes("sealedBox")))
    generated.push("MERCATO_SECRET_KEY");
  for (const name of generated) {
    if (!env[name]) {
      problems.push(
        `${name} must be set for a Lambda function: one generated in a container's data directory would differ in every other container`,
      );
    }
  }
  if (problems.length > 0 || !config || !publicUrl) throw new ConfigError(problems);
  return { config, services, publicUrl };
}

function publicUrlOf(value: string | undefined, problems: string[]): string | undefined {
  if (!value) {
    problems.push(
      "MERCATO_PUBLIC_URL must be set for a Lambda function: the address of its HTTP API, like https://abc123.execute-api.eu-west-1.amazonaws.com",
    );
    return undefined;
  }
  try {
    const url = new URL(value);
    if (url.protocol === "https:" || url.protocol === "http:") return url.origin;
  } catch {
    // Reported below with the value.
  }
  problems.push(`MERCATO_PUBLIC_URL must be an http(s) URL (got ${JSON.stringify(value)})`);
  return undefined;
}
