import type { ServiceContext } from "@mercato/platform";
import type { FastifyRequest } from "fastify";
import {
  clockSkewProblem,
  expectedSignature,
  parseAmzDate,
  parseAuthorization,
  payloadHash,
  signaturesMatch,
  signingService,
} from "../domain/sigv4.ts";
import { findKeyByAccessKeyId } from "../store/api-keys.ts";
import type { EventsTables } from "../store/tables.ts";
import { awsErrors } from "./aws-errors.ts";

/**
 * Checks a request's SigV4 signature, as AWS would: a well-formed Authorization header for the
 * `events` service, an X-Amz-Date within five minutes of now and of the credential's day, a body
 * whose hash is the one signed, and a signature that the named key's secret reproduces. Answers
 * the signature (for the replay check) and when it was made; throws the AWS error otherwise.
 */
export async function verifySigV4(
  request: FastifyRequest,
  body: Buffer,
  { db, secrets }: ServiceContext<EventsTables>,
): Promise<{ value: string; signedAt: Date }> {
  const header = request.headers.authorization;
  if (header === undefined) throw awsErrors.missingToken();
  const authorization = parseAuthorization(header);
  if (!authorization) {
    throw awsErrors.incompleteSignature(
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' of an AWS4-HMAC-SHA256 signature",
    );
  }
  if (authorization.service !== signingService) {
    throw awsErrors.invalidSignature(`Credential should be scoped to correct service: '${signingService}'.`);
  }
  for (const required of ["host", "x-amz-date"]) {
    if (!authorization.signedHeaders.includes(required)) {
      throw awsErrors.incompleteSignature(`The ${required} header must be signed`);
    }
  }
  const amzDate = request.headers["x-amz-date"];
  const signedAt = typeof amzDate === "string" ? parseAmzDate(amzDate) : undefined;
  if (!signedAt || typeof amzDate !== "string") {
    throw awsErrors.incompleteSignature(
      "The X-Amz-Date header is missing or is not an ISO 8601 basic date-time",
    );
  }
  if (!amzDate.startsWith(authorization.scopeDate)) {
    throw awsErrors.invalidSignature(
      `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}'.`,
    );
  }
  const skew = clockSkewProblem(signedAt, new Date());
  if (skew) throw awsErrors.invalidSignature(skew);
  const declaredHash = request.headers["x-amz-content-sha256"];
  if (declaredHash !== undefined && declaredHash !== payloadHash(body)) {
    throw awsErrors.invalidSignature(
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  const key = await findKeyByAccessKeyId(db, secrets.sealedBox, authorization.accessKeyId);
  if (!key) throw awsErrors.unrecognizedClient();
  const expected = await expectedSignature(
    receivedRequest(request, body),
    authorization,
    key.secretAccessKey,
    signedAt,
  );
  if (!signaturesMatch(authorization.signature, expected)) {
    throw awsErrors.invalidSignature(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    );
  }
  request.log.debug({ apiKeyId: key.id }, "SigV4 request verified");
  return { value: authorization.signature, signedAt };
}

function receivedRequest(request: FastifyRequest, body: Buffer) {
  const url = new URL(request.url, "http://placeholder");
  const query: Record<string, string | string[]> = {};
  for (const name of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(name);
    query[name] = values.length === 1 ? (values[0] as string) : values;
  }
  const headers = Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(",") : value]],
    ),
  );
  // Behind the gateway the Host is the service's; the client signed the one it addressed.
  const forwardedHost = request.headers["x-forwarded-host"];
  const host = typeof forwardedHost === "string" ? forwardedHost : (request.headers.host ?? "");
  return { method: request.method, host, path: url.pathname, query, headers, body };
}
