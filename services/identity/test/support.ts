import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type Host, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { identityService } from "../src/index.ts";

/** A host running identity alone; tokens are verified with identity's own JWKS, as in production. */
export async function startIdentity(
  dataDir?: string,
  env: Record<string, string> = {},
): Promise<{ host: Host; dataDir: string }> {
  const directory = dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "mercato-identity-")));
  const host = await startHost({
    config: { ...loadConfig({ MERCATO_DATA_DIR: directory, MERCATO_SEED: "none", ...env }), port: 0 },
    services: [identityService],
    logger: silentLogger(),
  });
  return { host, dataDir: directory };
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely and assert their shape.
  body: any;
}

export function client(baseUrl: string) {
  return async (
    method: string,
    url: string,
    options: { json?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const hasBody = options.json !== undefined || options.raw !== undefined;
    const response = await fetch(new URL(url, baseUrl), {
      method,
      headers: {
        ...(hasBody ? { "content-type": "application/json" } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json)),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  };
}

let counter = 0;

/** A fresh address for each registration, so tests do not depend on one another. */
export function uniqueEmail(prefix = "user"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now()}-${counter}@example.com`;
}
