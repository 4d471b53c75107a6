import { createHash } from "node:crypto";

/**
 * A hash of what a request asks, the same whatever the order of its JSON keys, to tell a replay
 * (same key, same request) from a misuse of the key (same key, another request). A body that
 * holds a secret (a payment token) is hashed with a keyed `digest`, so the stored hash cannot be
 * checked against guesses.
 */
export function requestHash(
  method: string,
  path: string,
  body: unknown,
  digest: (text: string) => string = sha256,
): string {
  return digest(`${method} ${path}\n${canonicalJson(body)}`);
}

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
