import { Webhook } from "standardwebhooks";
import { Agent, fetch } from "undici";
import { type AttemptOutcome, outcomeOfAnswer, outcomeOfNoAnswer } from "../domain/attempt-outcome.ts";
import { checkWebhookUrl } from "../domain/webhook-url.ts";
import { guardedLookup, RefusedAddressError } from "./guarded-lookup.ts";

export interface SignedDelivery {
  url: string;
  /** `whsec_` + base64, as the webhook's owner received it. */
  secret: string;
  /** The `webhook-id`: the event's id, the same on every attempt. */
  eventId: string;
  body: string;
}

/** Bytes of an answer read (and thrown away) so that its connection can serve the next delivery. */
const drainedBytes = 64 * 1024;

/**
 * POSTs signed events to webhook receivers (Standard Webhooks): one attempt per call, with a time
 * limit, no redirects followed, and connections only to addresses the policy allows, checked after
 * DNS resolution by the connection's own lookup.
 */
export class WebhookSender {
  readonly #agent: Agent;

  constructor(private readonly options: { allowedHosts: ReadonlySet<string>; timeoutMs: number }) {
    this.#agent = new Agent({ connect: { lookup: guardedLookup(options.allowedHosts) } });
  }

  async send(delivery: SignedDelivery): Promise<AttemptOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    // Registration checked the URL too, but the allow list may have changed since.
    const verdict = checkWebhookUrl(delivery.url, this.options.allowedHosts);
    if (!verdict.ok) return outcomeOfNoAnswer(`refused: the URL ${verdict.reason}`, elapsed());
    const timestamp = new Date();
    try {
      const response = await fetch(verdict.url, {
        method: "POST",
        body: delivery.body,
        redirect: "manual",
        signal: AbortSignal.timeout(this.options.timeoutMs),
        dispatcher: this.#agent,
        headers: {
          "content-type": "application/json",
          "user-agent": "Mercato-Webhooks/1",
          "webhook-id": delivery.eventId,
          "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
          "webhook-signature": new Webhook(delivery.secret).sign(delivery.eventId, timestamp, delivery.body),
        },
      });
      await drain(response.body);
      return outcomeOfAnswer(response.status, elapsed());
    } catch (error) {
      return outcomeOfNoAnswer(describeFailure(error, this.options.timeoutMs), elapsed());
    }
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

async function drain(body: AsyncIterable<Uint8Array> | null): Promise<void> {
  if (!body) return;
  let read = 0;
  try {
    for await (const chunk of body) {
      read += chunk.byteLength;
      if (read > drainedBytes) break;
    }
  } catch {
    // The status decided the outcome; a body cut short changes nothing.
  }
}

/** The error a failed attempt keeps: why no answer came, without stack or request details. */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof RefusedAddressError) return `refused: ${cause.message}`;
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown }).code;
  const named = typeof code === "string" && !message.includes(code) ? ` (${code})` : "";
  return `network error: ${message}${named}`;
}
