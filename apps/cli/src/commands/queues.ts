import type { QueueStats } from "@mercato/platform";
import { CommandError, type OpsClient } from "./ops-client.ts";

interface DeadLetterSummary {
  id: string;
  event: { source: string; "detail-type": string };
  receiveCount: number;
  lastError: string;
}

/** The most dead letters one listing answers (the operations API's bound). */
const pageSize = 1000;
/** Ids moved per redrive request, so that a long redrive shows its progress. */
const redriveChunk = 200;

export async function listQueues(client: OpsClient): Promise<number> {
  const { items } = await client.call<{ items: QueueStats[] }>("GET", "/api/ops/queues");
  console.table(items.map(({ name, ...counters }) => ({ queue: name, ...counters })));
  return 0;
}

export async function showDeadLetters(client: OpsClient, queue: string): Promise<number> {
  const items = await deadLetters(client, queue);
  if (items.length === 0) console.log(`The dead-letter queue of ${queue} is empty`);
  for (const letter of items) {
    console.log(
      `${letter.id}  ${letter.event.source} ${letter.event["detail-type"]}  receives=${letter.receiveCount}  ${letter.lastError}`,
    );
  }
  return 0;
}

/**
 * Moves the dead letters named, or all of them, back to the queue. Ids are checked first, so a
 * mistyped id moves nothing and is named. Everything is moved in chunks with a progress line; a
 * message that fails again and returns to the DLQ during the run is not moved twice.
 */
export async function redrive(client: OpsClient, queue: string, ids: string[]): Promise<number> {
  const progress = { sent: new Set<string>(), moved: 0 };
  if (ids.length > 0) {
    const present = new Set((await deadLetters(client, queue)).map((letter) => letter.id));
    const unknown = ids.filter((id) => !present.has(id));
    if (unknown.length > 0) {
      throw new CommandError(
        `No dead letter ${unknown.join(", ")} in ${queue}'s dead-letter queue; nothing was moved (list them with \`mercato dlq ${queue}\`)`,
      );
    }
    await redriveInChunks(client, queue, ids, progress);
  } else {
    for (;;) {
      const waiting = (await deadLetters(client, queue)).filter((letter) => !progress.sent.has(letter.id));
      if (waiting.length === 0) break;
      await redriveInChunks(
        client,
        queue,
        waiting.map((letter) => letter.id),
        progress,
      );
    }
  }
  console.log(`Moved ${progress.moved} message(s) from the dead-letter queue back to ${queue}`);
  return 0;
}

async function redriveInChunks(
  client: OpsClient,
  queue: string,
  ids: string[],
  progress: { sent: Set<string>; moved: number },
) {
  for (let start = 0; start < ids.length; start += redriveChunk) {
    const chunk = ids.slice(start, start + redriveChunk);
    const answer = await client.call<{ moved: number }>("POST", `${queuePath(queue)}/redrive`, {
      ids: chunk,
    });
    for (const id of chunk) progress.sent.add(id);
    progress.moved += answer.moved;
    if (ids.length > redriveChunk) console.error(`redrive ${queue}: ${progress.moved} moved so far`);
  }
}

export async function purge(client: OpsClient, queue: string): Promise<number> {
  await client.call<undefined>("POST", `${queuePath(queue)}/purge`);
  console.log(`Purged ${queue}; its dead letters are kept (see \`mercato dlq ${queue}\`)`);
  return 0;
}

async function deadLetters(client: OpsClient, queue: string): Promise<DeadLetterSummary[]> {
  const { items } = await client.call<{ items: DeadLetterSummary[] }>(
    "GET",
    `${queuePath(queue)}/dlq?limit=${pageSize}`,
  );
  return items;
}

function queuePath(queue: string): string {
  return `/api/ops/queues/${encodeURIComponent(queue)}`;
}
