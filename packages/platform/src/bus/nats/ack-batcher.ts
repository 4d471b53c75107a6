import type { JsMsg } from "@nats-io/jetstream";

/**
 * Sends acknowledgements together. Handlers finish in separate microtasks, and the NATS client
 * writes to its socket once per microtask turn in which it was handed something, so acking each
 * one as it finishes costs a socket write per message; gathering them until the next macrotask
 * makes that one write for all the handlers that finished meanwhile.
 */
export class AckBatcher {
  #pending: JsMsg[] = [];
  #scheduled = false;

  ack(message: JsMsg): void {
    this.#pending.push(message);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Hands every gathered acknowledgement to the client now. */
  flush(): void {
    this.#scheduled = false;
    const pending = this.#pending;
    this.#pending = [];
    for (const message of pending) message.ack();
  }
}
