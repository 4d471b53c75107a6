import fs from "node:fs/promises";
import { loadConfig } from "@mercato/platform/config";
import { opsTokenFile } from "@mercato/platform/ops-token";

/** A failure to tell the user in one sentence, without a stack trace. */
export class CommandError extends Error {
  override name = "CommandError";
}

/** Talks to a running server's operations API (api.md, "Operations"). */
export class OpsClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async fromEnvironment(urlOverride: string | undefined): Promise<OpsClient> {
    const config = loadConfig();
    const baseUrl = urlOverride ?? process.env.MERCATO_URL ?? `http://127.0.0.1:${config.port}`;
    if (!URL.canParse(baseUrl))
      throw new CommandError(`${baseUrl} is not a URL (like http://127.0.0.1:8080)`);
    const token =
      config.opsToken ?? (await fs.readFile(opsTokenFile(config.dataDir), "utf8").catch(() => "")).trim();
    if (!token) {
      throw new CommandError(
        `No operations token: set MERCATO_OPS_TOKEN or run from where ${opsTokenFile(config.dataDir)} exists`,
      );
    }
    return new OpsClient(baseUrl, token);
  }

  async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.baseUrl);
    const response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch((error: unknown) => {
      throw new CommandError(
        `No Mercato server answers at ${this.baseUrl} (${reason(error)}); start one with \`npm start\`, or give its address with --url or MERCATO_URL`,
      );
    });
    const payload = (await response.json().catch(() => ({}))) as T & { detail?: string; title?: string };
    if (!response.ok) {
      throw new CommandError(
        `${method} ${url.pathname}: ${response.status} ${payload.detail ?? payload.title ?? ""}`.trim(),
      );
    }
    return payload;
  }
}

/** fetch hides the network error (ECONNREFUSED, ENOTFOUND) in its cause. */
function reason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
