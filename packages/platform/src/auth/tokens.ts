import {
  createLocalJWKSet,
  createRemoteJWKSet,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { z } from "zod";

export const roles = ["customer", "admin"] as const;
export type Role = (typeof roles)[number];

/** The signed-in user, as the access token says. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
}

/** Access tokens are JWTs issued by identity for the whole API. */
export const accessTokenIssuer = "mercato";
export const accessTokenAudience = "mercato-api";

const claimsSchema = z.object({
  sub: z.string().min(1),
  email: z.string(),
  name: z.string(),
  roles: z.array(z.enum(roles)),
  // jwtVerify has checked it when present; a token without one is never remembered.
  exp: z.number().optional(),
});

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Checks an access token's signature, expiry, issuer and audience, and reads the user from it. */
export interface TokenVerifier {
  verify(token: string): Promise<AuthenticatedUser>;
}

/** Verified tokens remembered per process; a shopper sends the same token with every request. */
const maxRememberedTokens = 10_000;

/**
 * Checking an ES256 signature is most of a request's authentication cost, and a token does not
 * change: a token verified once is taken at its word until its expiry, as it would be by any
 * other instance that had verified it (a key dropped from identity's set stops new tokens, not
 * tokens already accepted). Only successes are remembered, and only so many, oldest first out.
 */
function verifierWith(keys: JWTVerifyGetKey): TokenVerifier {
  const verified = new Map<string, { user: AuthenticatedUser; expiresAtMs: number }>();
  const verifySignature = async (token: string) => {
    const { payload } = await jwtVerify(token, keys, {
      issuer: accessTokenIssuer,
      audience: accessTokenAudience,
      algorithms: ["ES256", "EdDSA"],
    });
    const claims = claimsSchema.parse(payload);
    const user: AuthenticatedUser = {
      id: claims.sub,
      email: claims.email,
      name: claims.name,
      roles: claims.roles,
    };
    return { user, expiresAtMs: (claims.exp ?? 0) * 1000 };
  };
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && Date.now() < known.expiresAtMs) return known.user;
      verified.delete(token);
      try {
        const fresh = await verifySignature(token);
        if (verified.size >= maxRememberedTokens) verified.delete(verified.keys().next().value as string);
        verified.set(token, fresh);
        return fresh.user;
      } catch (error) {
        throw new InvalidTokenError(describe(error));
      }
    },
  };
}

/** Verifies with the public keys identity serves at `/.well-known/jwks.json` (fetched and cached). */
export function remoteJwksVerifier(jwksUrl: URL): TokenVerifier {
  return verifierWith(createRemoteJWKSet(jwksUrl, { cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }));
}

/** Verifies with a key set at hand (tests, and identity itself). */
export function localJwksVerifier(jwks: JSONWebKeySet): TokenVerifier {
  return verifierWith(createLocalJWKSet(jwks));
}

function describe(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_JWT_EXPIRED") return "The access token has expired";
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") return "The access token's signature is not valid";
  if (code === "ERR_JWKS_NO_MATCHING_KEY") return "The access token was signed with an unknown key";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") return "The access token was not issued for this API";
  if (error instanceof z.ZodError) return "The access token lacks the user's claims";
  return "The access token is malformed";
}
