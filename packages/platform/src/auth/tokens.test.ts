import { afterEach, describe, expect, it, vi } from "vitest";
import { createTestAuthority } from "../testing/index.ts";
import { InvalidTokenError } from "./tokens.ts";

describe("a verifier that remembers the tokens it verified", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("still refuses a remembered token once it has expired", async () => {
    const authority = await createTestAuthority();
    const token = await authority.token({ roles: ["customer"], expiresIn: "15m" });
    const user = await authority.verifier.verify(token);
    expect(await authority.verifier.verify(token)).toEqual(user);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 16 * 60_000);
    await expect(authority.verifier.verify(token)).rejects.toThrow(
      new InvalidTokenError("The access token has expired"),
    );
  });

  it("remembers no refusal: a tampered copy of a remembered token is refused every time", async () => {
    const authority = await createTestAuthority();
    const token = await authority.token({ roles: ["customer"] });
    await authority.verifier.verify(token);
    const [header, payload, signature] = token.split(".");
    const promoted = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), roles: ["admin"] }),
    ).toString("base64url");
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(authority.verifier.verify(`${header}.${promoted}.${signature}`)).rejects.toThrow(
        "The access token's signature is not valid",
      );
    }
  });
});
