import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** An unmodified EventBridgeClient of the AWS SDK pointed at a Mercato's `/aws/events`. */
export function eventBridgeClient(baseUrl: string, credentials: AwsCredentials): EventBridgeClient {
  return new EventBridgeClient({
    endpoint: new URL("/aws/events", baseUrl).toString(),
    region: "local",
    credentials,
    // One attempt: a test asserts what the server answered, not what a retry made of it.
    maxAttempts: 1,
  });
}

/**
 * A PutEvents request signed with SigV4 as the SDK signs it, at `signedAt` (for stale dates), ready
 * to be sent with fetch as many times as a test likes (for replays).
 */
export async function signedPutEvents(
  baseUrl: string,
  credentials: AwsCredentials,
  body: string,
  options: { signedAt?: Date; headers?: Record<string, string> } = {},
): Promise<{ url: string; init: RequestInit }> {
  const url = new URL("/aws/events/", baseUrl);
  const signer = new SignatureV4({
    credentials,
    region: "local",
    service: "events",
    sha256: Hash.bind(null, "sha256"),
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      headers: {
        host: url.host,
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AWSEvents.PutEvents",
        ...options.headers,
      },
      body,
    }),
    { signingDate: options.signedAt ?? new Date() },
  );
  const { host: _host, ...headers } = signed.headers;
  return { url: url.toString(), init: { method: "POST", headers, body } };
}

/** Sends a request `signedPutEvents` made; answers the status and the parsed JSON body. */
export async function send(request: { url: string; init: RequestInit }) {
  const response = await fetch(request.url, request.init);
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    errorType: response.headers.get("x-amzn-errortype"),
    // biome-ignore lint/suspicious/noExplicitAny: asserted field by field.
    body: (text ? JSON.parse(text) : undefined) as any,
  };
}
