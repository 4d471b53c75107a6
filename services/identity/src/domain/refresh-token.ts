import { createHash, randomBytes } from "node:crypto";

/** A refresh token lives this long after it is issued; each rotation issues a fresh one. */
export const refreshTokenLifetimeMs = 30 * 24 * 60 * 60 * 1000;

/** An opaque random token (256 bits). */
export function newRefreshToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What the database keeps instead of the token. */
export function hashRefreshToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
