import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";

declare module "fastify" {
  interface FastifyRequest {
    /** From `x-correlation-id` when the caller sent a sane one, else the request id. */
    readonly correlationId: string;
  }
}

export const requestIdHeader = "x-request-id";
export const correlationIdHeader = "x-correlation-id";

/** Ids from clients go into logs and headers: only short tokens of safe characters are taken. */
const saneToken = /^[A-Za-z0-9._:-]{1,128}$/;

function saneHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && saneToken.test(value) ? value : undefined;
}

let prefixMillis = -1;
let prefix = "";

/**
 * A UUIDv7 (RFC 9562): the millisecond clock in the first 48 bits, then a v4's random bits. uuid's
 * `v7()` asks the OS for fresh bytes on every call, which cost 8% of a trivial request;
 * `randomUUID` serves from a cached entropy pool, and the clock part is formatted once per
 * millisecond. Request ids need no ordering within a millisecond, which is all this gives up.
 */
export function requestUuid(): string {
  const now = Date.now();
  if (now !== prefixMillis) {
    const time = now.toString(16).padStart(12, "0");
    prefix = `${time.slice(0, 8)}-${time.slice(8)}-7`;
    prefixMillis = now;
  }
  return prefix + randomUUID().slice(15);
}

/** The client's `x-request-id` when it is a sane token, else a fresh UUIDv7. */
export function requestIdOf(request: IncomingMessage): string {
  return saneHeader(request.headers[requestIdHeader]) ?? requestUuid();
}

export function correlationIdOf(headers: IncomingHttpHeaders, requestId: string): string {
  return saneHeader(headers[correlationIdHeader]) ?? requestId;
}
