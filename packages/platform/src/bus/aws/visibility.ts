import type { Logger } from "../../log.ts";
import { sqsSeconds } from "./sqs-limits.ts";

/**
 * Keeps a received message invisible while its handler runs: `extend` is the handler's own
 * `extendVisibility`, and the heartbeat asks again for the queue's visibility timeout each time
 * a third of what was granted has passed, so a handler slower than the timeout is not delivered twice.
 * The visibility timeout then bounds how long a crashed consumer holds a message.
 */
export class VisibilityKeeper {
  #until: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly change: (seconds: number) => Promise<void>,
    private readonly visibilityMs: number,
    private readonly heartbeat: boolean,
    private readonly logger: Logger,
    receivedAt: number,
  ) {
    this.#until = receivedAt + sqsSeconds(visibilityMs) * 1000;
    this.#schedule();
  }

  async extend(ms: number): Promise<void> {
    if (!(Number.isFinite(ms) && ms >= 0))
      throw new Error("extendVisibility(ms): ms must be a number of at least 0");
    if (this.#stopped) return;
    await this.#set(sqsSeconds(ms));
  }

  /** Stops the heartbeat and waits for a change under way. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
  }

  async #set(seconds: number): Promise<void> {
    const asked = Date.now();
    const change = this.change(seconds);
    this.#inFlight = change.catch(() => {});
    await change;
    this.#until = asked + seconds * 1000;
    this.#schedule();
  }

  #schedule(): void {
    clearTimeout(this.#timer);
    if (!this.heartbeat || this.#stopped) return;
    // A third of what is left: time for a slow answer before the message reappears.
    const delay = Math.max(50, (this.#until - Date.now()) / 3);
    this.#timer = setTimeout(() => {
      const seconds = Math.max(sqsSeconds(this.visibilityMs), sqsSeconds(this.#until - Date.now()));
      this.#set(seconds).catch((error: unknown) => {
        if (!this.#stopped)
          this.logger.warn({ err: error }, "could not extend a running handler's message visibility");
      });
    }, delay);
    this.#timer.unref();
  }
}
