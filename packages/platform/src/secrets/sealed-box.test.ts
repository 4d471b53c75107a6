import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSealedBox, SealedBoxError } from "./sealed-box.ts";

describe("sealed box", () => {
  const box = createSealedBox(randomBytes(32));

  it("opens what it sealed, for the same purpose", () => {
    const sealed = box.seal("tok_visa", "payment-token");
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]+\.[\w-]{22}$/);
    expect(sealed).not.toContain("tok_visa");
    expect(box.open(sealed, "payment-token")).toBe("tok_visa");
  });

  it("fingerprints a value the same way each time, per purpose and key, without revealing it", () => {
    const fingerprint = box.fingerprint("tok_visa", "payment-token");
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(box.fingerprint("tok_visa", "payment-token")).toBe(fingerprint);
    expect(box.fingerprint("tok_visa", "request")).not.toBe(fingerprint);
    expect(createSealedBox(randomBytes(32)).fingerprint("tok_visa", "payment-token")).not.toBe(fingerprint);
    expect(fingerprint).not.toBe(createHash("sha256").update("tok_visa").digest("hex"));
  });

  it("seals the same value differently each time (random IV)", () => {
    expect(box.seal("tok_visa", "p")).not.toBe(box.seal("tok_visa", "p"));
  });

  it("refuses a tampered ciphertext, IV or tag", () => {
    const [version, iv, ciphertext, tag] = box.seal("tok_visa", "payment-token").split(".") as [
      string,
      string,
      string,
      string,
    ];
    const flip = (part: string) => {
      const bytes = Buffer.from(part, "base64url");
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      return bytes.toString("base64url");
    };
    for (const tampered of [
      [version, iv, flip(ciphertext), tag],
      [version, flip(iv), ciphertext, tag],
      [version, iv, ciphertext, flip(tag)],
    ]) {
      expect(() => box.open(tampered.join("."), "payment-token")).toThrow(/tampered/);
    }
  });

  it("refuses a wrong purpose", () => {
    const sealed = box.seal("tok_visa", "payment-token");
    expect(() => box.open(sealed, "webhook-secret")).toThrow(SealedBoxError);
  });

  it("refuses a value sealed with another key", () => {
    const sealed = createSealedBox(randomBytes(32)).seal("tok_visa", "payment-token");
    expect(() => box.open(sealed, "payment-token")).toThrow(/another key or purpose/);
  });

  it("refuses malformed values with a clear error", () => {
    expect(() => box.open("tok_visa", "payment-token")).toThrow(/malformed/);
    expect(() => box.open("v2.a.b.c", "payment-token")).toThrow(/malformed/);
    expect(() => box.open("v1.AAAA.AAAA.AAAA", "payment-token")).toThrow(/malformed/);
  });

  it("needs a 32-byte key", () => {
    expect(() => createSealedBox(randomBytes(16))).toThrow(/32-byte key/);
  });
});
