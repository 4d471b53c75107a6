import { type AuthenticatedUser, accessTokenAudience, accessTokenIssuer } from "@mercato/platform";
import { type CryptoKey, SignJWT } from "jose";

export const accessTokenAlgorithm = "ES256";

/** Short, because an access token cannot be revoked: a refresh gets a new one. */
export const accessTokenLifetimeSeconds = 15 * 60;

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey | Uint8Array;
}

/** An ES256 JWT carrying the user's id (`sub`), email, name and roles. */
export function signAccessToken(key: SigningKey, user: AuthenticatedUser, now = new Date()): Promise<string> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  return new SignJWT({ email: user.email, name: user.name, roles: user.roles })
    .setProtectedHeader({ alg: accessTokenAlgorithm, kid: key.kid, typ: "JWT" })
    .setSubject(user.id)
    .setIssuer(accessTokenIssuer)
    .setAudience(accessTokenAudience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + accessTokenLifetimeSeconds)
    .sign(key.privateKey);
}
