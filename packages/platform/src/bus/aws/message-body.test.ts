import { describe, expect, it } from "vitest";
import { event } from "../test/test-event.ts";
import {
  deliveredEventOf,
  ENVELOPE_KEY,
  envelopeOfSqsBody,
  MAX_ENTRY_BYTES,
  putEventsEntryOf,
  putEventsEntrySize,
} from "./message-body.ts";

const bus = { account: "123456789012", region: "eu-west-1" };

describe("AWS message body", () => {
  it("round-trips an envelope exactly through the body EventBridge delivers", () => {
    const envelope = {
      ...event("mercato.orders", "OrderPlaced", { orderId: "o-1", total: 12.5, lines: [{ sku: "a" }] }),
      time: "2026-03-01T10:20:30.456Z",
      resources: ["arn:aws:s3:::bucket"],
      metadata: { "correlation-id": "c-1", "causation-id": "e-0", traceparent: "00-abc-def-01" },
    };
    const delivered = deliveredEventOf(envelope, bus);
    expect(delivered.id).not.toBe(envelope.id);
    expect(delivered.time).toBe("2026-03-01T10:20:30Z");
    expect(delivered.account).toBe(bus.account);
    expect(delivered.detail.orderId).toBe("o-1");

    expect(envelopeOfSqsBody(JSON.stringify(delivered))).toEqual(envelope);
  });

  it("builds the PutEvents entry with the envelope's fields inside detail", () => {
    const envelope = event("mercato.orders", "OrderPlaced", { orderId: "o-1" });
    const entry = putEventsEntryOf(envelope, "mercato");
    expect(entry).toMatchObject({
      Source: "mercato.orders",
      DetailType: "OrderPlaced",
      EventBusName: "mercato",
      Resources: [],
      Time: new Date(envelope.time),
    });
    expect(JSON.parse(entry.Detail)).toEqual({
      orderId: "o-1",
      [ENVELOPE_KEY]: {
        id: envelope.id,
        time: envelope.time,
        account: envelope.account,
        region: envelope.region,
        metadata: envelope.metadata,
      },
    });
  });

  it("counts an entry's size the way EventBridge does", () => {
    const envelope = { ...event("src", "Type", { text: "é".repeat(1000) }), resources: ["r1", "r22"] };
    const entry = putEventsEntryOf(envelope, "mercato");
    expect(putEventsEntrySize(entry)).toBe(14 + 3 + 4 + Buffer.byteLength(entry.Detail) + 5);
    expect(MAX_ENTRY_BYTES).toBe(262_144);
  });

  it("refuses a detail that is not an object, or that uses the reserved key", () => {
    expect(() => putEventsEntryOf({ ...event("s", "T", {}), detail: [1] }, "b")).toThrow(
      /detail must be a JSON object/,
    );
    expect(() => deliveredEventOf({ ...event("s", "T", {}), detail: "text" }, bus)).toThrow(
      /detail must be a JSON object/,
    );
    expect(() => putEventsEntryOf(event("s", "T", { [ENVELOPE_KEY]: 1 }), "b")).toThrow(
      `uses the reserved detail key "${ENVELOPE_KEY}"`,
    );
  });

  it("refuses a body that is not a Mercato event, saying why", () => {
    expect(() => envelopeOfSqsBody("hello")).toThrow("SQS message body is not JSON: hello");
    expect(() => envelopeOfSqsBody("[]")).toThrow("SQS message body is not an EventBridge event: []");
    expect(() => envelopeOfSqsBody('{"version":"0"}')).toThrow(/has no EventBridge detail object/);
    expect(() => envelopeOfSqsBody('{"version":"0","detail":{"a":1}}')).toThrow(
      `not a Mercato event (no "${ENVELOPE_KEY}" in detail)`,
    );
    const delivered = deliveredEventOf(event("s", "T", {}), bus);
    const noId = {
      ...delivered,
      detail: { [ENVELOPE_KEY]: { ...(delivered.detail[ENVELOPE_KEY] as object), id: "" } },
    };
    expect(() => envelopeOfSqsBody(JSON.stringify(noId))).toThrow(/not a valid Mercato event: id/);
    expect(() => envelopeOfSqsBody(JSON.stringify({ ...delivered, version: "1" }))).toThrow(
      /not a valid Mercato event: version/,
    );
    expect(() => envelopeOfSqsBody("x".repeat(500))).toThrow(/…$/);
  });
});
