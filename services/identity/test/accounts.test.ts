import { UserRegistered } from "@mercato/contracts";
import { accessTokenAudience, accessTokenIssuer, type Host } from "@mercato/platform";
import { createTestAuthority, waitFor } from "@mercato/platform/testing";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../src/domain/password-hash.ts";
import { hashRefreshToken } from "../src/domain/refresh-token.ts";
import type { IdentityTables } from "../src/index.ts";
import { pruneExpiredRefreshFamilies } from "../src/store/refresh-tokens.ts";
import { type Answer, client, recordingLogger, startIdentity, uniqueEmail } from "./support.ts";

// Every password verification, passed through, so that a test can count the work a login does.
vi.mock("../src/domain/password-hash.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("../src/domain/password-hash.ts")>();
  return { ...original, verifyPassword: vi.fn(original.verifyPassword) };
});
const verified = vi.mocked(verifyPassword);

let host: Host;
let started: Awaited<ReturnType<typeof startIdentity>> | undefined;
const log = recordingLogger();
let call: ReturnType<typeof client>;
let db: Kysely<IdentityTables>;
const registeredEvents: { id: string; detail: unknown }[] = [];

beforeAll(async () => {
  started = await startIdentity({ logger: log.logger });
  ({ host } = started);
  call = client(host.url);
  const identity = host.services.find((service) => service.definition.name === "identity");
  db = identity?.context.db as Kysely<IdentityTables>;
  const queue = "identity-test-user-registered";
  await host.transport.declareQueue({
    name: queue,
    visibilityTimeoutMs: 5000,
    maxReceiveCount: 3,
    backoff: { baseMs: 10, maxMs: 50 },
  });
  await host.transport.putRule({ name: queue, eventPattern: { ...UserRegistered.pattern }, queue });
  await host.transport.consume(queue, async (delivery) => {
    registeredEvents.push({ id: delivery.event.id, detail: UserRegistered.parse(delivery.event).detail });
  });
});

afterAll(async () => {
  await started?.close();
});

function expectProblem(answer: Answer, status: number, detail?: RegExp | string) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get("content-type")).toBe("application/problem+json");
  expect(answer.body.status).toBe(status);
  if (detail !== undefined) expect(answer.body.detail).toMatch(detail);
}

function fieldPaths(answer: Answer): string[] {
  return (answer.body.errors ?? []).map((error: { path: string }) => error.path).sort();
}

async function register(overrides: { email?: string; password?: string; name?: string } = {}) {
  const body = {
    email: uniqueEmail(),
    password: "correct horse battery",
    name: "Ada Lovelace",
    ...overrides,
  };
  const answer = await call("POST", "/api/auth/register", { json: body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return { ...body, answer };
}

describe("registration", () => {
  it("creates a customer, signs them in and knows them at /api/me", async () => {
    const email = uniqueEmail("Mixed.Case");
    const { answer } = await register({ email: email.toUpperCase(), name: "Grace Hopper" });
    expect(answer.body).toEqual({
      user: { id: expect.any(String), email: email.toLowerCase(), name: "Grace Hopper", roles: ["customer"] },
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    const me = await call("GET", "/api/me", { token: answer.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(answer.body.user);
  });

  it("publishes UserRegistered through the outbox", async () => {
    const { answer, email } = await register({ name: "Event Person" });
    await waitFor(
      () =>
        registeredEvents.some((event) => (event.detail as { userId: string }).userId === answer.body.user.id),
      "UserRegistered",
    );
    const event = registeredEvents.find(
      (candidate) => (candidate.detail as { userId: string }).userId === answer.body.user.id,
    );
    expect(event?.detail).toEqual({ userId: answer.body.user.id, email, name: "Event Person" });
  });

  it("refuses an email that is taken, whatever its case, and publishes nothing for it", async () => {
    const { email, answer: first } = await register();
    const again = await call("POST", "/api/auth/register", {
      json: { email: email.toUpperCase(), password: "another password", name: "Impostor" },
    });
    expectProblem(again, 409, `An account with the email ${email} already exists`);
    const login = await call("POST", "/api/auth/login", { json: { email, password: "another password" } });
    expect(login.status).toBe(401);
    await waitFor(
      () =>
        registeredEvents.some((event) => (event.detail as { userId: string }).userId === first.body.user.id),
      "the first registration's UserRegistered",
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(
      registeredEvents.filter((event) => (event.detail as { email: string }).email === email),
    ).toHaveLength(1);
  });

  it("lists every field problem of a bad body", async () => {
    const wrongTypes = await call("POST", "/api/auth/register", {
      json: { email: 5, password: true, name: ["x"] },
    });
    expectProblem(wrongTypes, 400);
    expect(fieldPaths(wrongTypes)).toEqual(["body.email", "body.name", "body.password"]);

    const missing = await call("POST", "/api/auth/register", { json: {} });
    expectProblem(missing, 400);
    expect(fieldPaths(missing)).toEqual(["body.email", "body.name", "body.password"]);

    const weak = await call("POST", "/api/auth/register", {
      json: { email: "not-an-email", password: "short", name: "  " },
    });
    expectProblem(weak, 400);
    expect(weak.body.errors).toEqual(
      expect.arrayContaining([
        { path: "body.email", message: "must be an email address" },
        { path: "body.password", message: "must be at least 8 characters" },
        { path: "body.name", message: "must not be empty" },
      ]),
    );

    const extra = await call("POST", "/api/auth/register", {
      json: { email: uniqueEmail(), password: "long enough", name: "X", roles: ["admin"] },
    });
    expectProblem(extra, 400);
    expect(fieldPaths(extra)).toEqual(["body"]);

    const longPassword = await call("POST", "/api/auth/register", {
      json: { email: uniqueEmail(), password: "p".repeat(201), name: "X" },
    });
    expectProblem(longPassword, 400);
    expect(fieldPaths(longPassword)).toEqual(["body.password"]);
  });

  it("refuses malformed JSON, other content types and oversized bodies", async () => {
    const malformed = await call("POST", "/api/auth/register", { raw: '{"email": "a@b.c",' });
    expectProblem(malformed, 400, /not valid JSON/);

    const form = await call("POST", "/api/auth/register", {
      raw: "email=a@b.c",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expectProblem(form, 415);

    const huge = await call("POST", "/api/auth/register", {
      json: { email: uniqueEmail(), password: "long enough", name: "n".repeat(5000) },
    });
    expectProblem(huge, 413, /larger than the limit of 4096 bytes/);
  });
});

describe("sign-in", () => {
  it("signs in with the right password, whatever the email's case", async () => {
    const { email, password, answer: registered } = await register();
    const login = await call("POST", "/api/auth/login", { json: { email: email.toUpperCase(), password } });
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      user: registered.body.user,
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
    });
    expect(login.body.refreshToken).not.toBe(registered.body.refreshToken);
    expect((await call("GET", "/api/me", { token: login.body.accessToken })).body).toEqual(
      registered.body.user,
    );
  });

  it("answers a wrong password and an unknown email alike, with the same work", async () => {
    const { email } = await register();
    // The derivations each login runs, and their cost parameters (scrypt$log2N$r$p): counted
    // rather than timed, so that a loaded machine cannot fail the test nor a skipped one pass it.
    const derivations = async (body: { email: string; password: string }) => {
      verified.mockClear();
      const answer = await call("POST", "/api/auth/login", { json: body });
      const costs = verified.mock.calls.map(([, stored]) => stored.split("$").slice(0, 4).join("$"));
      return { answer, costs };
    };
    const wrongPassword = await derivations({ email, password: "not the password" });
    const unknownEmail = await derivations({ email: uniqueEmail("nobody"), password: "not the password" });
    expectProblem(wrongPassword.answer, 401, "The email or password is not correct");
    expectProblem(unknownEmail.answer, 401, "The email or password is not correct");
    expect(unknownEmail.answer.body).toEqual(wrongPassword.answer.body);
    expect(unknownEmail.answer.headers.get("www-authenticate")).toBe("Bearer");
    // Both run one full scrypt derivation at the same cost; a skipped one would answer sooner.
    expect(wrongPassword.costs).toHaveLength(1);
    expect(unknownEmail.costs).toEqual(wrongPassword.costs);
  });

  it("validates the login body", async () => {
    const answer = await call("POST", "/api/auth/login", { json: { email: "nope", password: "" } });
    expectProblem(answer, 400);
    expect(fieldPaths(answer)).toEqual(["body.email", "body.password"]);
  });
});

describe("refresh tokens", () => {
  it("rotates: each refresh spends the token and issues a new one", async () => {
    const { answer } = await register();
    const first = await call("POST", "/api/auth/refresh", {
      json: { refreshToken: answer.body.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    expect(first.body.refreshToken).not.toBe(answer.body.refreshToken);
    expect((await call("GET", "/api/me", { token: first.body.accessToken })).body).toEqual(answer.body.user);
    const second = await call("POST", "/api/auth/refresh", {
      json: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);
  });

  it("treats a spent token as stolen: refused, and its whole family is revoked", async () => {
    const { email, password, answer } = await register();
    const otherDevice = await call("POST", "/api/auth/login", { json: { email, password } });
    const old = answer.body.refreshToken;
    const rotated = await call("POST", "/api/auth/refresh", { json: { refreshToken: old } });
    expect(rotated.status).toBe(200);

    const reuse = await call("POST", "/api/auth/refresh", { json: { refreshToken: old } });
    expectProblem(reuse, 401, /already used/);
    const newest = await call("POST", "/api/auth/refresh", {
      json: { refreshToken: rotated.body.refreshToken },
    });
    expectProblem(newest, 401, /revoked/);

    // Another sign-in is another family and keeps working.
    const other = await call("POST", "/api/auth/refresh", {
      json: { refreshToken: otherDevice.body.refreshToken },
    });
    expect(other.status).toBe(200);
  });

  it("lets only one of two concurrent refreshes with the same token through, and revokes the family", async () => {
    const { answer } = await register();
    const refresh = () =>
      call("POST", "/api/auth/refresh", { json: { refreshToken: answer.body.refreshToken } });
    const answers = await Promise.all([refresh(), refresh()]);
    expect(answers.map((each) => each.status).sort()).toEqual([200, 401]);
    const winner = answers.find((each) => each.status === 200);
    expectProblem(
      await call("POST", "/api/auth/refresh", { json: { refreshToken: winner?.body.refreshToken } }),
      401,
      /revoked/,
    );
  });

  it("refuses unknown and expired tokens", async () => {
    expectProblem(
      await call("POST", "/api/auth/refresh", { json: { refreshToken: "made-up-token" } }),
      401,
      "The refresh token is not valid",
    );
    const { answer } = await register();
    await db
      .updateTable("refresh_tokens")
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where(
        "family_id",
        "in",
        db.selectFrom("refresh_token_families").select("id").where("user_id", "=", answer.body.user.id),
      )
      .execute();
    expectProblem(
      await call("POST", "/api/auth/refresh", { json: { refreshToken: answer.body.refreshToken } }),
      401,
      /expired/,
    );
  });

  it("prunes families once all their tokens have expired", async () => {
    const { answer } = await register();
    const families = db
      .selectFrom("refresh_token_families")
      .select("id")
      .where("user_id", "=", answer.body.user.id);
    await pruneExpiredRefreshFamilies(db);
    expect(await families.execute()).toHaveLength(1);
    await db
      .updateTable("refresh_tokens")
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where("family_id", "in", families)
      .execute();
    expect(await pruneExpiredRefreshFamilies(db)).toBeGreaterThanOrEqual(1);
    expect(await families.execute()).toHaveLength(0);
    const tokenHash = hashRefreshToken(answer.body.refreshToken);
    expect(
      await db
        .selectFrom("refresh_tokens")
        .select("token_hash")
        .where("token_hash", "=", tokenHash)
        .execute(),
    ).toEqual([]);
  });

  it("stores only a hash of each refresh token", async () => {
    const { answer } = await register();
    const rows = await db.selectFrom("refresh_tokens").select("token_hash").execute();
    expect(rows.some((row) => row.token_hash === answer.body.refreshToken)).toBe(false);
    expect(rows.every((row) => /^[0-9a-f]{64}$/.test(row.token_hash))).toBe(true);
  });

  it("validates the refresh body", async () => {
    const answer = await call("POST", "/api/auth/refresh", { json: { refreshToken: 42 } });
    expectProblem(answer, 400);
    expect(fieldPaths(answer)).toEqual(["body.refreshToken"]);
  });
});

describe("access tokens", () => {
  it("refuses /api/me without a token, with a tampered one and with one signed by another key", async () => {
    expectProblem(await call("GET", "/api/me"), 401, /needs an access token/);

    const { answer } = await register();
    const [header, payload, signature] = String(answer.body.accessToken).split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, roles: ["admin"] })).toString("base64url");
    expectProblem(
      await call("GET", "/api/me", { token: `${header}.${promoted}.${signature}` }),
      401,
      "The access token's signature is not valid",
    );

    const foreign = await (await createTestAuthority()).token({ id: answer.body.user.id });
    expectProblem(await call("GET", "/api/me", { token: foreign }), 401, /unknown key/);
    expectProblem(await call("GET", "/api/me", { token: "garbage" }), 401);
  });

  it("answers 404 at /api/me once the account is gone", async () => {
    const { answer } = await register();
    await db.deleteFrom("users").where("id", "=", answer.body.user.id).execute();
    expectProblem(await call("GET", "/api/me", { token: answer.body.accessToken }), 404, /no longer exists/);
    expectProblem(
      await call("POST", "/api/auth/refresh", { json: { refreshToken: answer.body.refreshToken } }),
      401,
    );
  });

  it("serves the public keys that verify issued tokens", async () => {
    const jwks = await call("GET", "/.well-known/jwks.json");
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys).toHaveLength(1);
    const [key] = jwks.body.keys;
    expect(key).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig", kid: expect.any(String) });
    expect(key).not.toHaveProperty("d");

    const { answer } = await register({ name: "Token Holder" });
    expect(decodeProtectedHeader(answer.body.accessToken)).toMatchObject({ alg: "ES256", kid: key.kid });
    const { payload } = await jwtVerify(answer.body.accessToken, createLocalJWKSet(jwks.body), {
      issuer: accessTokenIssuer,
      audience: accessTokenAudience,
    });
    expect(payload).toMatchObject({
      sub: answer.body.user.id,
      email: answer.body.user.email,
      name: "Token Holder",
      roles: ["customer"],
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(15 * 60);
  });
});

describe("the first admin", () => {
  it("is announced at start with a warning while the default is in use", () => {
    expect(log.warnings()).toContainEqual(
      expect.stringMatching(
        /default admin admin@mercato\.local .*set MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD/,
      ),
    );
  });

  it("is the default admin when none is configured, with the admin role", async () => {
    const login = await call("POST", "/api/auth/login", {
      json: { email: "admin@mercato.local", password: "mercato-admin" },
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ email: "admin@mercato.local", roles: ["admin"] });
    const ops = await call("GET", "/api/ops/queues", { token: login.body.accessToken });
    expect(ops.status).toBe(200);
    const me = await call("GET", "/api/me", { token: login.body.accessToken });
    expect(me.body.roles).toEqual(["admin"]);
  });
});
