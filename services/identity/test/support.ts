import { Writable } from "node:stream";
import type { Host, Logger } from "@mercato/platform";
import { type Answer, call, startTestHost } from "@mercato/platform/testing";
import { pino } from "pino";
import { identityService } from "../src/index.ts";

/**
 * A host running identity alone; tokens are verified with identity's own JWKS, as in production.
 * `close()` stops it and removes its data directory unless the directory was given (a restart test
 * closes the first host alone and hands its directory to the second).
 */
export async function startIdentity(
  options: { dataDir?: string; env?: Record<string, string>; logger?: Logger } = {},
): Promise<{ host: Host; dataDir: string; close(): Promise<void> }> {
  const started = await startTestHost({ services: [identityService], auth: "identity", ...options });
  return { host: started.host, dataDir: started.dataDir, close: started.close };
}

export type { Answer };

/** Calls `baseUrl`; `json` is sent as JSON, `raw` as given. */
export function client(baseUrl: string) {
  return (
    method: string,
    url: string,
    options: { json?: unknown; raw?: string; token?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const { json, ...rest } = options;
    return call(baseUrl, method, url, { ...rest, ...(json === undefined ? {} : { body: json }) });
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
