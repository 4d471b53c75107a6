import { createHash, timingSafeEqual } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

// AWS Signature Version 4 as a server checks it: the received request is signed again with the
// secret of the access key it names, and the two signatures compared in constant time.

/** AWS refuses a request signed more than five minutes before or after its own clock. */
export const maxClockSkewMs = 5 * 60_000;
/** Requests are signed for this service name (the SDK's signing name of EventBridge). */
export const signingService = "events";

export interface SigV4Authorization {
  accessKeyId: string;
  /** The credential scope's date, yyyymmdd. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const authorizationPattern =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{1,128})\/(\d{8})\/([a-z0-9-]{1,64})\/([a-z0-9-]{1,64})\/aws4_request, ?SignedHeaders=([a-z0-9;-]{1,2048}), ?Signature=([0-9a-f]{64})$/;

/** The parts of an `Authorization: AWS4-HMAC-SHA256 ...` header, or undefined when it is not one. */
export function parseAuthorization(header: string): SigV4Authorization | undefined {
  const match = authorizationPattern.exec(header);
  if (!match) return undefined;
  const [, accessKeyId, scopeDate, region, service, signedHeaders, signature] = match as unknown as string[];
  return {
    accessKeyId: accessKeyId as string,
    scopeDate: scopeDate as string,
    region: region as string,
    service: service as string,
    signedHeaders: (signedHeaders as string).split(";"),
    signature: signature as string,
  };
}

/** `X-Amz-Date` (`20240501T120000Z`) as a time, or undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const time = new Date(Date.UTC(year as number, (month as number) - 1, day, hour, minute, second));
  return time.toISOString().replace(/[-:]|\.\d{3}/g, "") === value ? time : undefined;
}

/** Why a request signed at `signedAt` is refused at `now`, in AWS's words; undefined when in time. */
export function clockSkewProblem(signedAt: Date, now: Date): string | undefined {
  const format = (time: Date) => time.toISOString().replace(/[-:]|\.\d{3}/g, "");
  if (now.getTime() - signedAt.getTime() > maxClockSkewMs) {
    const earliest = new Date(now.getTime() - maxClockSkewMs);
    return `Signature expired: ${format(signedAt)} is now earlier than ${format(earliest)} (${format(now)} - 5 min.)`;
  }
  if (signedAt.getTime() - now.getTime() > maxClockSkewMs) {
    const latest = new Date(now.getTime() + maxClockSkewMs);
    return `Signature not yet current: ${format(signedAt)} is still later than ${format(latest)} (${format(now)} + 5 min.)`;
  }
  return undefined;
}

/** The hex SHA-256 of a body, as `X-Amz-Content-Sha256` carries it. */
export function payloadHash(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex");
}

export interface ReceivedRequest {
  method: string;
  /** The host the client addressed (behind the gateway, its `X-Forwarded-Host`). */
  host: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The signature the request should carry if it was signed with `secretAccessKey` at `signedAt`
 * over the headers the client says it signed (and only those: the gateway adds headers of its own).
 */
export async function expectedSignature(
  request: ReceivedRequest,
  authorization: SigV4Authorization,
  secretAccessKey: string,
  signedAt: Date,
): Promise<string> {
  const signed = new Set(authorization.signedHeaders);
  const headers = Object.fromEntries(
    Object.entries({ ...request.headers, host: request.host }).filter(([name]) => signed.has(name)),
  );
  const signer = new SignatureV4({
    credentials: { accessKeyId: authorization.accessKeyId, secretAccessKey },
    region: authorization.region,
    service: authorization.service,
    sha256: Hash.bind(null, "sha256"),
    uriEscapePath: true,
    applyChecksum: false,
  });
  const resigned = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: "https:",
      hostname: request.host,
      path: request.path,
      query: request.query,
      headers,
      body: request.body,
    }),
    { signingDate: signedAt, signableHeaders: signed },
  );
  const header = String(resigned.headers.authorization ?? "");
  return /Signature=([0-9a-f]{64})$/.exec(header)?.[1] ?? "";
}

/** Compares two hex signatures without leaking, by its timing, how much of one matched. */
export function signaturesMatch(received: string, expected: string): boolean {
  const a = Buffer.from(received, "hex");
  const b = Buffer.from(expected, "hex");
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}
