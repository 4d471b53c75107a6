import fs from "node:fs/promises";
import type { QueueStats } from "@mercato/platform";
import { loadConfig } from "@mercato/platform/config";
import { opsTokenFile } from "@mercato/platform/ops-token";

/** Talks to a running server's operations API (api.md, "Operations"). */
export class OpsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  static async fromEnvironment(urlOverride: string | undefined): Promise<OpsClient> {
    const config = loadConfig();
    const baseUrl = urlOverride ?? process.env.MERCATO_URL ?? `http://127.0.0.1:${config.port}`;
    const token =
      config.opsToken ?? (await fs.readFile(opsTokenFile(config.dataDir), "utf8").catch(() => "")).trim();
    if (!token) {
      throw new Error(
        `No operations token: set MERCATO_OPS_TOKEN or run from where ${opsTokenFile(config.dataDir)} exists`,
      );
    }
    return new OpsClient(baseUrl, token);
  }

  async call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json().catch(() => ({}))) as T & { detail?: string; title?: string };
    if (!response.ok) {
      throw new Error(
        `${method} ${path}: ${response.status} ${payload.detail ?? payload.title ?? ""}`.trim(),
      );
    }
    return payload;
  }
}

export async function listQueues(client: OpsClient): Promise<number> {
  const { items } = await client.call<{ items: QueueStats[] }>("GET", "/api/ops/queues");
  console.table(items.map(({ name, ...counters }) => ({ queue: name, ...counters })));
  return 0;
}

export async function showDeadLetters(client: OpsClient, queue: string): Promise<number> {
  const { items } = await client.call<{
    items: {
      id: string;
      event: { source: string; "detail-type": string };
      receiveCount: number;
      lastError: string;
    }[];
  }>("GET", `/api/ops/queues/${encodeURIComponent(queue)}/dlq`);
  if (items.length === 0) console.log(`The dead-letter queue of ${queue} is empty`);
  for (const letter of items) {
    console.log(
      `${letter.id}  ${letter.event.source} ${letter.event["detail-type"]}  receives=${letter.receiveCount}  ${letter.lastError}`,
    );
  }
  return 0;
}

export async function redrive(client: OpsClient, queue: string, ids: string[]): Promise<number> {
  const body = ids.length > 0 ? { ids } : {};
  const { moved } = await client.call<{ moved: number }>(
    "POST",
    `/api/ops/queues/${encodeURIComponent(queue)}/redrive`,
    body,
  );
  console.log(`Moved ${moved} message(s) from the dead-letter queue back to ${queue}`);
  return 0;
}

export async function purge(client: OpsClient, queue: string): Promise<number> {
  const { purged } = await client.call<{ purged: number }>(
    "POST",
    `/api/ops/queues/${encodeURIComponent(queue)}/purge`,
  );
  console.log(`Purged ${purged} message(s) from ${queue}`);
  return 0;
}
