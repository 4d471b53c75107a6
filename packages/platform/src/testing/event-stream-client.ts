/** One event of a `text/event-stream`, as an EventSource would dispatch it. */
export interface ServerSentEvent {
  /** The last `id:` seen so far in the stream (what EventSource sends back as Last-Event-ID). */
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Reads a server-sent event stream over fetch, parsing it as the HTML standard's EventSource does
 * (fields, multi-line data, comments, any line ending), so tests and benchmarks can send headers
 * EventSource cannot (Authorization, Last-Event-ID) and see comment lines.
 */
export class EventStreamClient {
  /** Comment lines (`: text`) received so far, without the colon. */
  readonly comments: string[] = [];
  /** The `retry:` the server asked for, when it did. */
  retryMs: number | undefined;
  private readonly reader: ReadableStreamDefaultReader<string>;
  private readonly queued: ServerSentEvent[] = [];
  private buffer = "";
  private lastId: string | undefined;
  private data: string[] = [];
  private eventName = "";
  private ended = false;

  private constructor(
    readonly response: Response,
    private readonly abort: AbortController,
  ) {
    if (!response.body) throw new Error("The response has no body");
    this.reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** GETs `url` with `headers`; the caller checks `response.status` and headers. */
  static async open(url: string | URL, headers: Record<string, string> = {}): Promise<EventStreamClient> {
    const abort = new AbortController();
    const response = await fetch(url, {
      headers: { accept: "text/event-stream", ...headers },
      signal: abort.signal,
    });
    return new EventStreamClient(response, abort);
  }

  /** The next event, or undefined once the stream ended. */
  async next(): Promise<ServerSentEvent | undefined> {
    while (this.queued.length === 0 && !this.ended) await this.readMore();
    return this.queued.shift();
  }

  /** Reads until `count` events arrived (fewer if the stream ends first). */
  async take(count: number): Promise<ServerSentEvent[]> {
    const events: ServerSentEvent[] = [];
    while (events.length < count) {
      const event = await this.next();
      if (!event) break;
      events.push(event);
    }
    return events;
  }

  /** Resolves once the server ended the stream, with the events that came before the end. */
  async untilEnd(): Promise<ServerSentEvent[]> {
    const events: ServerSentEvent[] = [];
    for (let event = await this.next(); event; event = await this.next()) events.push(event);
    return events;
  }

  /** Reads until a comment line arrives. */
  async nextComment(): Promise<string | undefined> {
    const seen = this.comments.length;
    while (this.comments.length === seen && !this.ended) await this.readMore();
    return this.comments[seen];
  }

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  close(): void {
    this.ended = true;
    this.abort.abort();
  }

  private async readMore(): Promise<void> {
    let chunk: Awaited<ReturnType<typeof this.reader.read>>;
    try {
      chunk = await this.reader.read();
    } catch (error) {
      if (this.ended) return;
      throw error;
    }
    if (chunk.done) {
      this.ended = true;
      return;
    }
    let text = this.buffer + chunk.value;
    // A trailing "\r" may be the first half of "\r\n": it waits for the next chunk.
    const carriageReturn = text.endsWith("\r");
    if (carriageReturn) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\r|\n/);
    this.buffer = (lines.pop() ?? "") + (carriageReturn ? "\r" : "");
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line === "") {
      if (this.data.length > 0) {
        this.queued.push({ id: this.lastId, event: this.eventName || "message", data: this.data.join("\n") });
      }
      this.data = [];
      this.eventName = "";
      return;
    }
    if (line.startsWith(":")) {
      this.comments.push(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.eventName = value;
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retryMs = Number(value);
  }
}
