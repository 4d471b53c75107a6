import { PutEventsCommand } from "@aws-sdk/client-eventbridge";
import type { EventEnvelope } from "@mercato/contracts";
import { createTestAuthority, startTestHost, type TestHost } from "@mercato/platform/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventsService } from "../src/index.ts";
import { type AwsCredentials, eventBridgeClient, send, signedPutEvents } from "./aws-client.ts";

let test: TestHost;
let admin: string;
let credentials: AwsCredentials & { id: string };

beforeAll(async () => {
  const authority = await createTestAuthority();
  test = await startTestHost({
    services: [eventsService],
    auth: authority,
    record: { source: [{ prefix: "test." }] },
  });
  admin = await authority.token({ roles: ["admin"] });
  credentials = await newKey("SDK");
});

afterAll(async () => {
  await test?.close();
});

async function newKey(name: string): Promise<AwsCredentials & { id: string }> {
  const created = await test.call("POST", "/api/api-keys", { token: admin, body: { name } });
  expect(created.status).toBe(201);
  const { id, accessKeyId, secretAccessKey } = created.body;
  return { id, accessKeyId, secretAccessKey };
}

const recorded = (id: string): EventEnvelope | undefined => test.events.find((event) => event.id === id);
const body = (n: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Entries: [{ Source: "test.aws", DetailType: "Thing Happened", Detail: JSON.stringify({ n }), ...extra }],
  });

describe("/aws/events with the AWS SDK", () => {
  it("puts events through an unmodified EventBridgeClient, entries checked one by one", async () => {
    const client = eventBridgeClient(test.url, credentials);
    try {
      const time = new Date("2024-05-01T10:00:00.000Z");
      const answer = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: "test.aws",
              DetailType: "Thing Happened",
              Detail: JSON.stringify({ n: 1 }),
              Time: time,
              Resources: ["r1"],
            },
            { Source: "aws.s3", DetailType: "Thing Happened", Detail: "{}" },
          ],
        }),
      );
      expect(answer.FailedEntryCount).toBe(1);
      expect(answer.Entries?.[1]).toEqual({
        ErrorCode: "NotAuthorizedForSourceException",
        ErrorMessage: expect.any(String),
      });
      const id = answer.Entries?.[0]?.EventId as string;
      await expect.poll(() => recorded(id)).toBeDefined();
      expect(recorded(id)).toMatchObject({
        source: "test.aws",
        "detail-type": "Thing Happened",
        detail: { n: 1 },
        time: time.toISOString(),
        resources: ["r1"],
      });
      expect(answer.$metadata.requestId).toEqual(expect.any(String));
    } finally {
      client.destroy();
    }
  });

  it("refuses a wrong secret and an unknown or revoked access key, in the protocol's error shape", async () => {
    // Another last character: a random secret ends in "x" one time in 64.
    const last = credentials.secretAccessKey.at(-1) === "x" ? "y" : "x";
    const wrong = eventBridgeClient(test.url, {
      ...credentials,
      secretAccessKey: `${credentials.secretAccessKey.slice(0, -1)}${last}`,
    });
    const unknown = eventBridgeClient(test.url, {
      accessKeyId: "MKIAAAAAAAAAAAAAAAAA",
      secretAccessKey: "s",
    });
    const revokedKey = await newKey("Revoked");
    expect((await test.call("DELETE", `/api/api-keys/${revokedKey.id}`, { token: admin })).status).toBe(204);
    const revoked = eventBridgeClient(test.url, revokedKey);
    const command = () =>
      new PutEventsCommand({ Entries: [{ Source: "test.aws", DetailType: "T", Detail: "{}" }] });
    try {
      await expect(wrong.send(command())).rejects.toMatchObject({
        name: "InvalidSignatureException",
        message: expect.stringMatching(/signature we calculated does not match/),
        $metadata: { httpStatusCode: 400 },
      });
      await expect(unknown.send(command())).rejects.toMatchObject({ name: "UnrecognizedClientException" });
      await expect(revoked.send(command())).rejects.toMatchObject({ name: "UnrecognizedClientException" });
    } finally {
      for (const client of [wrong, unknown, revoked]) client.destroy();
    }
  });
});

describe("/aws/events signatures", () => {
  it("refuses a stale or future X-Amz-Date, beyond five minutes either way", async () => {
    for (const offsetMs of [-6 * 60_000, 6 * 60_000]) {
      const request = await signedPutEvents(test.url, credentials, body(2), {
        signedAt: new Date(Date.now() + offsetMs),
      });
      const answer = await send(request);
      expect(answer).toMatchObject({
        status: 400,
        type: "application/x-amz-json-1.1",
        errorType: "InvalidSignatureException",
        body: {
          __type: "InvalidSignatureException",
          message: expect.stringMatching(/^Signature (expired|not yet current)/),
        },
      });
    }
    const inTime = await send(
      await signedPutEvents(test.url, credentials, body(3), { signedAt: new Date(Date.now() - 4 * 60_000) }),
    );
    expect(inTime.status).toBe(200);
  });

  it("serves a signed request once: the same request again is a replay, refused, and publishes nothing", async () => {
    const request = await signedPutEvents(test.url, credentials, body(4));
    const first = await send(request);
    expect(first.status).toBe(200);
    const again = await Promise.all([send(request), send(request)]);
    for (const answer of again) {
      expect(answer).toMatchObject({
        status: 400,
        body: { __type: "InvalidSignatureException", message: expect.stringMatching(/already received/) },
      });
    }
    await expect.poll(() => recorded(first.body.Entries[0].EventId)).toBeDefined();
    await expect.poll(() => test.settled()).toBe(true);
    expect(test.events.filter((event) => (event.detail as { n?: number }).n === 4)).toHaveLength(1);
  });

  it("refuses a body changed after signing, a missing or malformed signature, another operation or media type", async () => {
    // What earlier tests published may still be on its way to the recorder.
    await expect.poll(() => test.settled()).toBe(true);
    const seen = test.events.length;
    const signed = await signedPutEvents(test.url, credentials, body(5));
    const tampered = await send({ ...signed, init: { ...signed.init, body: body(6) } });
    expect(tampered.body.__type).toBe("InvalidSignatureException");

    const headers = signed.init.headers as Record<string, string>;
    const { authorization: _auth, ...unsigned } = headers;
    expect(await send({ ...signed, init: { ...signed.init, headers: unsigned } })).toMatchObject({
      status: 403,
      body: { __type: "MissingAuthenticationTokenException" },
    });
    const malformed = await send({
      ...signed,
      init: { ...signed.init, headers: { ...headers, authorization: "AWS4-HMAC-SHA256 nonsense" } },
    });
    expect(malformed).toMatchObject({ status: 400, body: { __type: "IncompleteSignatureException" } });
    const otherService = await send({
      ...signed,
      init: {
        ...signed.init,
        headers: { ...headers, authorization: headers.authorization?.replace("/events/", "/sqs/") ?? "" },
      },
    });
    expect(otherService.body).toMatchObject({
      __type: "InvalidSignatureException",
      message: expect.stringMatching(/'events'/),
    });

    const otherTarget = await signedPutEvents(test.url, credentials, body(7), {
      headers: { "x-amz-target": "AWSEvents.ListRules" },
    });
    expect((await send(otherTarget)).body.__type).toBe("UnknownOperationException");
    const plainJson = await signedPutEvents(test.url, credentials, body(8), {
      headers: { "content-type": "application/json" },
    });
    expect(await send(plainJson)).toMatchObject({
      status: 415,
      body: { __type: "UnsupportedMediaTypeException" },
    });
    await expect.poll(() => test.settled()).toBe(true);
    expect(test.events.length).toBe(seen);
  });

  it("refuses malformed bodies in the protocol's terms, after the signature checks out", async () => {
    const cases: [string, string][] = [
      ["{not json", "SerializationException"],
      ["[]", "ValidationException"],
      [JSON.stringify({ Entries: [] }), "ValidationException"],
      [
        JSON.stringify({
          Entries: Array.from({ length: 11 }, () => ({ Source: "test.a", DetailType: "T", Detail: "{}" })),
        }),
        "ValidationException",
      ],
      [
        JSON.stringify({
          Entries: [
            { Source: "test.a", DetailType: "T", Detail: JSON.stringify({ pad: "x".repeat(270_000) }) },
          ],
        }),
        "ValidationException",
      ],
    ];
    for (const [text, type] of cases) {
      const answer = await send(await signedPutEvents(test.url, credentials, text));
      expect(answer, text.slice(0, 80)).toMatchObject({ status: 400, body: { __type: type } });
    }
    const badTime = await send(
      await signedPutEvents(test.url, credentials, body(9, { Time: "2024-05-01T10:00:00Z" })),
    );
    expect(badTime.body).toMatchObject({ FailedEntryCount: 1, Entries: [{ ErrorCode: "InvalidArgument" }] });
  });
});
