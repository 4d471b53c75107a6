import { describe, expect, it } from "vitest";
import { EventStreamParser } from "../../apps/web/src/api/event-stream.ts";

describe("the storefront's server-sent event parser", () => {
  it("reads events split anywhere across chunks, with CRLF, LF or CR line ends", () => {
    const parser = new EventStreamParser(2000);
    const stream =
      'retry: 500\n\n: keep-alive\r\nid: n1\r\nevent: notification\r\ndata: {"a":\r\ndata: 1}\r\n\r\nid: n2\revent: notification\rdata: x\r\r';
    const events = [...stream].flatMap((character) => parser.push(character));
    expect(events).toEqual([
      { id: "n1", event: "notification", data: '{"a":\n1}' },
      { id: "n2", event: "notification", data: "x" },
    ]);
    expect(parser.retryMs).toBe(500);
    expect(parser.lastEventId).toBe("n2");
  });

  it("keeps the last id for events without one, defaults the type, and skips events without data", () => {
    const parser = new EventStreamParser(2000);
    expect(parser.push("id: 7\nevent: ping\n\ndata:plain\n\nretry: soon\n\n")).toEqual([
      { id: "7", event: "message", data: "plain" },
    ]);
    expect(parser.retryMs).toBe(2000);
  });

  it("drops an event cut off by the end of the connection", () => {
    const parser = new EventStreamParser(2000);
    expect(parser.push("id: a\ndata: whole\n\nid: b\ndata: cut")).toEqual([
      { id: "a", event: "message", data: "whole" },
    ]);
    parser.discardPartial();
    expect(parser.push("\n\ndata: next\n\n")).toEqual([{ id: "b", event: "message", data: "next" }]);
  });
});
