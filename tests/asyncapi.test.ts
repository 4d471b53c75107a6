import fs from "node:fs/promises";
import { Parser } from "@asyncapi/parser";
import { allEventTypes, asyncApiDocument, eventKey, messageId } from "@mercato/contracts";
import { createHttpServer, createMetrics, silentLogger } from "@mercato/platform";
import { describe, expect, it } from "vitest";
import { serviceCatalog } from "../apps/cli/src/services.ts";
import { participantsOf } from "../packages/contracts/scripts/event-participants.ts";
import committedParticipants from "../packages/contracts/src/event-participants.json" with { type: "json" };

const regenerate = "run `npm run events:catalog` and commit docs/asyncapi.json and event-participants.json";

// biome-ignore lint/suspicious/noExplicitAny: the document is checked field by field.
const document = asyncApiDocument() as any;

describe("the AsyncAPI document of the events", () => {
  it("is a valid AsyncAPI 3 document: the parser reports no error", async () => {
    const { document: parsed, diagnostics } = await new Parser().parse(JSON.stringify(document));
    const errors = diagnostics.filter((diagnostic) => diagnostic.severity === 0);
    expect(errors.map((error) => `${error.path.join(".")}: ${error.message}`)).toEqual([]);
    expect(parsed?.version()).toBe("3.0.0");
    expect(parsed?.allMessages().length).toBe(allEventTypes.length);
  });

  it("has every event type as a message in the envelope, its detail the type's schema, and its sender", () => {
    for (const type of allEventTypes) {
      const id = messageId(type);
      const message = document.components.messages[id];
      expect(message.payload.properties.source).toEqual({ type: "string", const: type.source });
      expect(message.payload.properties["detail-type"]).toEqual({ type: "string", const: type.detailType });
      expect(message.payload.properties.detail).toEqual({ $ref: `#/components/schemas/${id}` });
      expect(message.payload.required).toEqual(
        expect.arrayContaining(["version", "id", "detail-type", "source", "time", "detail", "metadata"]),
      );
      expect(document.components.schemas[id].type).toBe("object");
      expect(document.channels[id].address).toBe(eventKey(type));
      const sender = type.source.replace("mercato.", "");
      expect(document.operations[`${sender}.send${id}`]).toMatchObject({ action: "send" });
    }
    expect(Object.keys(document.components.schemas.EventMetadata.properties).sort()).toEqual([
      "causation-id",
      "correlation-id",
      "traceparent",
      "tracestate",
    ]);
  });

  it("names the receivers that the service definitions subscribe", () => {
    const services = serviceCatalog.map((entry) => entry.create());
    expect(committedParticipants, regenerate).toEqual(participantsOf(allEventTypes, services));
    expect(document.operations["inventory.receiveOrderPlaced"]).toMatchObject({
      action: "receive",
      "x-queue": "inventory-order-stock",
    });
  });

  it("is in step with the committed docs/asyncapi.json", async () => {
    const committed = JSON.parse(
      await fs.readFile(new URL("../docs/asyncapi.json", import.meta.url), "utf8"),
    );
    expect(committed, regenerate).toEqual(document);
  });

  it("is served at /asyncapi.json", async () => {
    const app = createHttpServer({
      logger: silentLogger(),
      metrics: createMetrics(),
      title: "t",
      version: "1",
    });
    try {
      await app.ready();
      const response = await app.inject({ url: "/asyncapi.json" });
      expect(response.statusCode).toBe(200);
      expect(response.headers["content-type"]).toMatch(/application\/json/);
      expect(response.json()).toEqual(document);
    } finally {
      await app.close();
    }
  });
});
