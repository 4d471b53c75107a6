/** One server-sent event, as the HTML standard's parser dispatches it. */
export interface ServerEvent {
  id: string;
  event: string;
  data: string;
}

/**
 * Parses a `text/event-stream` read in chunks (the HTML standard's rules): lines end at CRLF, LF
 * or CR, a blank line dispatches, `:` starts a comment, `id` persists until another replaces it.
 */
export class EventStreamParser {
  /** The reconnection delay the server last asked for with `retry:`, in milliseconds. */
  retryMs: number;
  lastEventId = "";
  private buffer = "";
  private afterCr = false;
  private data = "";
  private event = "";

  constructor(retryMs: number) {
    this.retryMs = retryMs;
  }

  push(chunk: string): ServerEvent[] {
    // A CR that ended the previous chunk may be the first half of a CRLF.
    this.buffer += this.afterCr && chunk.startsWith("\n") ? chunk.slice(1) : chunk;
    this.afterCr = false;
    const events: ServerEvent[] = [];
    for (;;) {
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      if (this.buffer[end] === "\r" && end === this.buffer.length - 1) this.afterCr = true;
      this.buffer = this.buffer.slice(this.buffer.startsWith("\r\n", end) ? end + 2 : end + 1);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** The connection ended: an event not yet complete is dropped, as the standard says. */
  discardPartial(): void {
    this.buffer = "";
    this.afterCr = false;
    this.data = "";
    this.event = "";
  }

  private line(line: string): ServerEvent | undefined {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data += `${value}\n`;
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.lastEventId = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  private dispatch(): ServerEvent | undefined {
    const data = this.data;
    const event = this.event || "message";
    this.data = "";
    this.event = "";
    if (data === "") return undefined;
    return { id: this.lastEventId, event, data: data.slice(0, -1) };
  }
}

export interface EventStreamOptions {
  url: string;
  /** Sends the request (the app's fetch adds the bearer token and refreshes it on a 401). */
  fetch(request: Request): Promise<Response>;
  onEvent(event: ServerEvent): void;
  /** Called each time the stream is open, so that a reader can catch up on what it may have missed. */
  onOpen?(): void;
  signal: AbortSignal;
}

/** How long to wait before reconnecting when the server has not said (its own default is 2 s). */
const defaultRetryMs = 2_000;

/**
 * Reads a server-sent event stream with fetch, since EventSource cannot send the Authorization
 * header the API wants, and reconnects after the server's `retry:` delay with `Last-Event-ID`, so
 * that nothing sent meanwhile is lost. Stops when `signal` aborts or the API refuses the user.
 */
export async function readEventStream(options: EventStreamOptions): Promise<void> {
  const { signal } = options;
  const parser = new EventStreamParser(defaultRetryMs);
  while (!signal.aborted) {
    const headers = new Headers({ accept: "text/event-stream" });
    if (parser.lastEventId) headers.set("last-event-id", parser.lastEventId);
    try {
      const answer = await options.fetch(new Request(options.url, { headers, signal }));
      // Signed out, or not allowed: reconnecting would be refused the same way.
      if (answer.status === 401 || answer.status === 403) return;
      if (answer.ok && answer.body) {
        options.onOpen?.();
        const reader = answer.body.pipeThrough(new TextDecoderStream()).getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          for (const event of parser.push(value)) options.onEvent(event);
        }
      }
    } catch {
      // A dropped connection or a server restarting: reconnect below.
    }
    // An event cut off mid-way is dropped; the next connection resends it after Last-Event-ID.
    parser.discardPartial();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, parser.retryMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
  }
}
