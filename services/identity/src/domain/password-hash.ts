import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Passwords are hashed with scrypt (memory-hard). The parameters are stored with each hash, as
 * `scrypt$<log2 N>$<r>$<p>$<salt>$<key>` (base64url), so that they can be raised later without
 * invalidating existing hashes.
 */
const current = { log2N: 15, r: 8, p: 1 };
const keyLength = 64;
const saltLength = 16;

function derive(password: string, salt: Buffer, params: typeof current): Promise<Buffer> {
  const options: ScryptOptions = {
    N: 2 ** params.log2N,
    r: params.r,
    p: params.p,
    // scrypt needs 128 * N * r bytes; Node's 32 MiB default leaves no room at N=2^15, r=8.
    maxmem: 256 * 2 ** params.log2N * params.r,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(saltLength);
  const key = await derive(password, salt, current);
  return [
    "scrypt",
    current.log2N,
    current.r,
    current.p,
    salt.toString("base64url"),
    key.toString("base64url"),
  ].join("$");
}

const storedPattern = /^scrypt\$(\d{1,2})\$(\d{1,2})\$(\d{1,2})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** True when `password` matches `stored`; always runs the full derivation. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = storedPattern.exec(stored);
  if (!match) throw new Error("The stored password hash has an unknown format");
  const [, log2N, r, p, salt, key] = match;
  const expected = Buffer.from(key ?? "", "base64url");
  const actual = await derive(password, Buffer.from(salt ?? "", "base64url"), {
    log2N: Number(log2N),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
