import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { type Host, type Logger, loadConfig, silentLogger, startHost } from "@mercato/platform";
import { pino } from "pino";
import { identityService } from "../src/index.ts";

/**
 * A host running identity alone; tokens are verified with identity's own JWKS, as in production.
 * `close()` stops it and removes its data directory (a given one too: a restart test closes the
 * first host alone and hands its directory to the second).
 */
export async function startIdentity(
  options: { dataDir?: string; env?: Record<string, string>; logger?: Logger } = {},
): Promise<{ host: Host; dataDir: string; close(): Promise<void> }> {
  const directory = options.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), "mercato-identity-")));
  const removeDirectory = () => fs.rm(directory, { recursive: true, force: true });
  let host: Host;
  try {
    host = await startHost({
      config: {
        ...loadConfig({ MERCATO_DATA_DIR: directory, MERCATO_SEED: "none", ...options.env }),
        port: 0,
      },
      services: [identityService],
      logger: options.logger ?? silentLogger(),
    });
  } catch (error) {
    await removeDirectory();
    throw error;
  }
  return {
    host,
    dataDir: directory,
    async close() {
      await host.close();
      await removeDirectory();
    },
  };
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

/** A logger that keeps its warnings, to check what the server says. */
export function recordingLogger(): { logger: Logger; warnings: () => string[] } {
  const lines: { level: number; msg: string }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return {
    logger: pino({ level: "warn" }, stream),
    warnings: () => lines.filter((line) => line.level === 40).map((line) => line.msg),
  };
}
