import { randomBytes } from "node:crypto";

// What an API key is made of. All three are random enough (256, 80 and 240 bits) that a keyed
// SHA-256 fingerprint protects them at rest as well as a slow password hash would, and lets a
// request find its key by one index lookup.

/** Prefix of bearer keys: tells them from access tokens (JWTs, which have dots) at a glance. */
export const bearerKeyPrefix = "mk_";
const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export interface ApiKeySecrets {
  /** `Authorization: Bearer <key>` for `POST /api/events`. */
  key: string;
  /** SigV4 credentials for `/aws/events`, shaped like AWS's (20 upper-case characters, 40 characters). */
  accessKeyId: string;
  secretAccessKey: string;
}

export function newApiKeySecrets(): ApiKeySecrets {
  const idBytes = randomBytes(16);
  const accessKeyId = `MKIA${[...idBytes].map((byte) => base32[byte % 32]).join("")}`;
  return {
    key: `${bearerKeyPrefix}${randomBytes(32).toString("base64url")}`,
    accessKeyId,
    secretAccessKey: randomBytes(30).toString("base64"),
  };
}

/** The purposes the platform key fingerprints and seals them under, so one can never open another. */
export const secretPurposes = {
  key: "events.api-key",
  accessKeyId: "events.access-key-id",
  secretAccessKey: "events.secret-access-key",
} as const;

/** True when a bearer credential is shaped like an API key rather than an access token. */
export function looksLikeApiKey(credential: string): boolean {
  return /^mk_[A-Za-z0-9_-]{43}$/.test(credential);
}
