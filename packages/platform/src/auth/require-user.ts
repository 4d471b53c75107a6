import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem } from "../http/index.ts";
import { type AuthenticatedUser, InvalidTokenError, type Role, type TokenVerifier } from "./tokens.ts";

declare module "fastify" {
  interface FastifyInstance {
    tokenVerifier: TokenVerifier;
  }
  interface FastifyRequest {
    /** Set by `requireUser` (and `optionalUser`) once the access token checks out. */
    user: AuthenticatedUser | undefined;
  }
}

/** Makes `verifier` the one every route of `app` uses. Called by the host. */
export function installTokenVerifier(app: FastifyInstance, verifier: TokenVerifier): void {
  app.decorate("tokenVerifier", verifier);
  app.decorateRequest("user", undefined);
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9\-_.]+)$/.exec(header);
  if (!match?.[1]) throw HttpProblem.unauthorized("The Authorization header must be 'Bearer <access token>'");
  return match[1];
}

/** Reads and verifies the bearer token, if any; throws 401 for a bad one. */
export async function authenticate(request: FastifyRequest): Promise<AuthenticatedUser | undefined> {
  const token = bearerToken(request);
  if (!token) return undefined;
  try {
    request.user = await request.server.tokenVerifier.verify(token);
    return request.user;
  } catch (error) {
    if (error instanceof InvalidTokenError) throw HttpProblem.unauthorized(error.message);
    throw error;
  }
}

/**
 * A preHandler that lets only signed-in users through (401 otherwise), and with `role`, only
 * users who have it (403 otherwise). The user is then `request.user`.
 */
export function requireUser(role?: Role) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const user = await authenticate(request);
    if (!user) throw HttpProblem.unauthorized("Sign in: this needs an access token");
    if (role && !user.roles.includes(role)) throw HttpProblem.forbidden(`This needs the ${role} role`);
  };
}

/** A preHandler for routes open to anyone that behave differently for a signed-in user. */
export function optionalUser() {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    await authenticate(request);
  };
}

/** The user `requireUser` let through; for handlers behind it. */
export function currentUser(request: FastifyRequest): AuthenticatedUser {
  if (!request.user) throw HttpProblem.unauthorized("Sign in: this needs an access token");
  return request.user;
}
