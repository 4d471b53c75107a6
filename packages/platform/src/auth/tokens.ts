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
});

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** Checks an access token's signature, expiry, issuer and audience, and reads the user from it. */
export interface TokenVerifier {
  verify(token: string): Promise<AuthenticatedUser>;
}

function verifierWith(keys: JWTVerifyGetKey): TokenVerifier {
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: accessTokenIssuer,
          audience: accessTokenAudience,
          algorithms: ["ES256", "EdDSA"],
        });
        const claims = claimsSchema.parse(payload);
        return { id: claims.sub, email: claims.email, name: claims.name, roles: claims.roles };
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
