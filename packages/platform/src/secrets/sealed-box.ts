import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/**
 * Encrypts small secrets (payment tokens) so that they can travel through places that store
 * what they carry (outbox, bus, logs of events). The purpose is authenticated with the ciphertext:
 * a value sealed for one use cannot be opened for another.
 */
export interface SealedBox {
  /** `v1.<iv>.<ciphertext>.<tag>`, each part base64url. */
  seal(plaintext: string, purpose: string): string;
  /** Throws SealedBoxError when the value was tampered with, or sealed with another key or purpose. */
  open(sealed: string, purpose: string): string;
  /**
   * HMAC-SHA256 of `value` under the key (hex): tells two secrets apart without keeping either,
   * and unlike a plain hash, cannot be checked against guesses (`tok_visa`) without the key.
   */
  fingerprint(value: string, purpose: string): string;
}

export class SealedBoxError extends Error {
  override name = "SealedBoxError";
}

const algorithm = "aes-256-gcm";
const ivBytes = 12;
const tagBytes = 16;
export const secretKeyBytes = 32;

export function createSealedBox(key: Buffer): SealedBox {
  if (key.length !== secretKeyBytes) {
    throw new SealedBoxError(`A sealed box needs a ${secretKeyBytes}-byte key, got ${key.length} bytes`);
  }
  return {
    seal(plaintext, purpose) {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv(algorithm, key, iv, { authTagLength: tagBytes });
      cipher.setAAD(Buffer.from(purpose, "utf8"));
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv, ciphertext, cipher.getAuthTag()]
        .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
        .join(".");
    },
    fingerprint(value, purpose) {
      return createHmac("sha256", key).update(`${purpose}\n${value}`, "utf8").digest("hex");
    },
    open(sealed, purpose) {
      const parts = sealed.split(".");
      const [version, iv, ciphertext, tag] = parts.map((part, index) =>
        index === 0 ? Buffer.from(part) : Buffer.from(part, "base64url"),
      );
      if (parts.length !== 4 || parts[0] !== "v1" || !version || !iv || !ciphertext || !tag) {
        throw new SealedBoxError("The sealed value is malformed (expected v1.<iv>.<ciphertext>.<tag>)");
      }
      if (iv.length !== ivBytes || tag.length !== tagBytes) {
        throw new SealedBoxError("The sealed value is malformed (wrong IV or tag length)");
      }
      const decipher = createDecipheriv(algorithm, key, iv, { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(purpose, "utf8"));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
      } catch {
        throw new SealedBoxError(
          `The sealed value cannot be opened for "${purpose}": it was tampered with, or sealed with another key or purpose`,
        );
      }
    },
  };
}
