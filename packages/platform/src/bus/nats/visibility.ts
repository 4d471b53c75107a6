import type { JsMsg } from "@nats-io/jetstream";

/**
 * SQS's ChangeMessageVisibility on JetStream: `working()` restarts the ack-wait timer, so it is
 * repeated every half ack-wait until the requested deadline is covered or the handler ends.
 */
export class VisibilityKeeper {
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ended = false;

  constructor(
    private readonly message: JsMsg,
    private readonly ackWaitMs: number,
  ) {}

  extend(ms: number): void {
    if (this.#ended) return;
    clearTimeout(this.#timer);
    const until = Date.now() + ms;
    const beat = () => {
      this.message.working();
      if (until - Date.now() > this.ackWaitMs) this.#timer = setTimeout(beat, this.ackWaitMs / 2);
    };
    beat();
  }

  end(): void {
    this.#ended = true;
    clearTimeout(this.#timer);
  }
}
