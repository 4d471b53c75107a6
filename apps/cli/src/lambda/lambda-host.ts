import { createLogger, type Host, type Logger, type PlatformConfig, startHost } from "@mercato/platform";
import { lambdaEnvironment } from "./lambda-environment.ts";

/** A Lambda function's running services, and the configuration they were started with. */
export interface LambdaHost {
  host: Host;
  config: PlatformConfig;
  logger: Logger;
}

/**
 * The host of a Lambda function's services, started as `mercato start` starts one but handed its
 * requests and deliveries (`invoked`): no port, no consumers, no background outbox relay.
 */
export async function openLambdaHost(
  env: Record<string, string | undefined> = process.env,
): Promise<LambdaHost> {
  const { config, services, publicUrl } = lambdaEnvironment(env);
  const logger = createLogger({ level: config.logLevel });
  const host = await startHost({ config, services, logger, invoked: { url: publicUrl } });
  return { host, config, logger };
}

/**
 * `open`, run once per container (at its cold start) and shared by every invocation after; a start
 * that failed is tried again by the next invocation rather than failing every one after it.
 */
export function once<T>(open: () => Promise<T>): () => Promise<T> {
  let opening: Promise<T> | undefined;
  return () => {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
}

/** This container's host, from process.env. */
export const containerHost = once(() => openLambdaHost());
