/** How long one process may take to answer the operations API on another's behalf. */
const peerTimeoutMs = 5_000;

/** A process that did not answer: the operations API says which, instead of hiding its queues. */
export interface UnavailablePeer {
  process: string;
  reason: string;
}

export interface PeerAnswer {
  status: number;
  contentType: string;
  body: unknown;
}

/**
 * The other processes of a distributed deployment (MERCATO_PEER_URLS), asked for their part of the
 * operations API with the caller's own Authorization: each checks it again.
 */
export class PeerProcesses {
  constructor(readonly origins: readonly string[]) {}

  get any(): boolean {
    return this.origins.length > 0;
  }

  /** Every peer's 200 answer to a GET; those that fail are listed with the reason. */
  async gather<T>(
    path: string,
    authorization: string | undefined,
  ): Promise<{ answers: T[]; unavailable: UnavailablePeer[] }> {
    const settled = await Promise.all(
      this.origins.map(async (origin) => {
        try {
          const answer = await this.send(origin, "GET", path, authorization);
          if (answer.status === 200) return { answer: answer.body as T };
          return { unavailable: { process: origin, reason: `answered ${answer.status}` } };
        } catch (error) {
          return { unavailable: { process: origin, reason: (error as Error).message } };
        }
      }),
    );
    return {
      answers: settled.flatMap((entry) => (entry.answer === undefined ? [] : [entry.answer as T])),
      unavailable: settled.flatMap((entry) => (entry.unavailable ? [entry.unavailable] : [])),
    };
  }

  async send(
    origin: string,
    method: "GET" | "POST",
    path: string,
    authorization: string | undefined,
    body?: unknown,
  ): Promise<PeerAnswer> {
    let response: Response;
    try {
      response = await fetch(new URL(path, origin), {
        method,
        headers: {
          ...(authorization ? { authorization } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(peerTimeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new Error(cause ? `cannot be reached (${cause})` : "did not answer in time");
    }
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "application/json",
      body: text === "" ? null : JSON.parse(text),
    };
  }

  /** The first peer that runs the queue, or undefined when none does. */
  async owner(queue: string, authorization: string | undefined): Promise<string | undefined> {
    const found = await Promise.all(
      this.origins.map(async (origin) => {
        const answer = await this.send(origin, "GET", "/api/ops/queues", authorization).catch(
          () => undefined,
        );
        const items = (answer?.body as { items?: { name: string }[] } | null)?.items ?? [];
        return items.some((item) => item.name === queue) ? origin : undefined;
      }),
    );
    return found.find((origin) => origin !== undefined);
  }
}
