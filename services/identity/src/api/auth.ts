import { UserRegistered } from "@mercato/contracts";
import { type AuthenticatedUser, HttpProblem, operation, type ServiceContext } from "@mercato/platform";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { v7 as uuidv7 } from "uuid";
import { signAccessToken } from "../domain/access-token.ts";
import { normalizeEmail } from "../domain/email.ts";
import { hashPassword, verifyPassword } from "../domain/password-hash.ts";
import { rotateRefreshToken, startRefreshFamily } from "../store/refresh-tokens.ts";
import type { SigningKeyRing } from "../store/signing-keys.ts";
import type { IdentityTables } from "../store/tables.ts";
import { findUserByEmail, findUserById, insertUser } from "../store/users.ts";
import {
  authBodyLimitBytes,
  credentialsSchema,
  refreshRequestSchema,
  registrationSchema,
  sessionSchema,
  tokensSchema,
} from "./schemas.ts";

const wrongCredentials = "The email or password is not correct";

const refusedRefresh = {
  unknown: "The refresh token is not valid",
  revoked: "The refresh token was revoked: sign in again",
  expired: "The refresh token has expired: sign in again",
  reused: "The refresh token was already used, so its sessions are now revoked: sign in again",
} as const;

function publicUser(user: AuthenticatedUser): AuthenticatedUser {
  return { id: user.id, email: user.email, name: user.name, roles: user.roles };
}

export function registerAuthRoutes(
  app: FastifyInstance,
  { db, inTransaction }: ServiceContext<IdentityTables>,
  keys: SigningKeyRing,
): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  // Unknown emails are checked against this hash, so that they take as long as wrong passwords.
  const dummyHash = hashPassword(uuidv7());
  const accessTokenFor = async (user: AuthenticatedUser) => signAccessToken(await keys.signingKey(), user);

  api.post(
    "/api/auth/register",
    {
      bodyLimit: authBodyLimitBytes,
      schema: operation({
        operationId: "register",
        tags: ["accounts"],
        summary: "Create a customer account and sign in",
        access: "public",
        body: registrationSchema,
        responses: { 201: { description: "The account and its first tokens", schema: sessionSchema } },
        errors: { 409: "An account with this email exists" },
      }),
    },
    async (request, reply) => {
      const email = normalizeEmail(request.body.email);
      const { name } = request.body;
      const passwordHash = await hashPassword(request.body.password);
      const registered = await inTransaction(async ({ transaction, publish }) => {
        const user = await insertUser(transaction, {
          id: uuidv7(),
          email,
          name,
          passwordHash,
          roles: ["customer"],
        });
        if (!user) return undefined;
        const refreshToken = await startRefreshFamily(transaction, user.id);
        await publish([
          UserRegistered.create(
            { userId: user.id, email, name },
            { correlationId: request.correlationId, resources: [user.id] },
          ),
        ]);
        return { user: publicUser(user), refreshToken };
      });
      if (!registered) throw HttpProblem.conflict(`An account with the email ${email} already exists`);
      const accessToken = await accessTokenFor(registered.user);
      return reply
        .code(201)
        .send({ user: registered.user, accessToken, refreshToken: registered.refreshToken });
    },
  );

  api.post(
    "/api/auth/login",
    {
      bodyLimit: authBodyLimitBytes,
      schema: operation({
        operationId: "login",
        tags: ["accounts"],
        summary: "Sign in with email and password",
        access: "public",
        body: credentialsSchema,
        responses: { 200: { description: "The user and new tokens", schema: sessionSchema } },
        errors: { 401: wrongCredentials },
      }),
    },
    async (request) => {
      const user = await findUserByEmail(db, normalizeEmail(request.body.email));
      const matches = await verifyPassword(request.body.password, user?.passwordHash ?? (await dummyHash));
      if (!user || !matches) throw HttpProblem.unauthorized(wrongCredentials);
      const refreshToken = await db
        .transaction()
        .execute((transaction) => startRefreshFamily(transaction, user.id));
      return { user: publicUser(user), accessToken: await accessTokenFor(user), refreshToken };
    },
  );

  api.post(
    "/api/auth/refresh",
    {
      bodyLimit: authBodyLimitBytes,
      schema: operation({
        operationId: "refreshTokens",
        tags: ["accounts"],
        summary: "Trade a refresh token for new tokens (the old one is spent)",
        access: "public",
        body: refreshRequestSchema,
        responses: { 200: { description: "New tokens", schema: tokensSchema } },
        errors: { 401: "The refresh token is unknown, expired, revoked or was already used" },
      }),
    },
    async (request) => {
      const rotation = await rotateRefreshToken(db, request.body.refreshToken);
      if (rotation.outcome !== "rotated") throw HttpProblem.unauthorized(refusedRefresh[rotation.outcome]);
      const user = await findUserById(db, rotation.userId);
      if (!user) throw HttpProblem.unauthorized(refusedRefresh.unknown);
      return { accessToken: await accessTokenFor(user), refreshToken: rotation.refreshToken };
    },
  );
}
