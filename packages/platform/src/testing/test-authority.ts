import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { v7 as uuidv7 } from "uuid";
import {
  accessTokenAudience,
  accessTokenIssuer,
  localJwksVerifier,
  type Role,
  type TokenVerifier,
} from "../auth/tokens.ts";

export interface TestAuthority {
  verifier: TokenVerifier;
  /** A real ES256 access token for a user with these roles (customer by default). */
  token(user?: {
    id?: string;
    email?: string;
    name?: string;
    roles?: Role[];
    expiresIn?: string;
  }): Promise<string>;
}

/**
 * Signs access tokens the way identity does, with a key of its own, for service tests that run
 * without the identity service. Cross-service tests use identity itself.
 */
export async function createTestAuthority(): Promise<TestAuthority> {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const kid = uuidv7();
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
  return {
    verifier: localJwksVerifier({ keys: [jwk] }),
    async token(user = {}) {
      const id = user.id ?? uuidv7();
      return new SignJWT({
        email: user.email ?? `${id}@example.com`,
        name: user.name ?? "Test User",
        roles: user.roles ?? ["customer"],
      })
        .setProtectedHeader({ alg: "ES256", kid })
        .setSubject(id)
        .setIssuer(accessTokenIssuer)
        .setAudience(accessTokenAudience)
        .setIssuedAt()
        .setExpirationTime(user.expiresIn ?? "15m")
        .sign(privateKey);
    },
  };
}
