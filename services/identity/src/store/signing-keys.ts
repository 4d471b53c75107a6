import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from "jose";
import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { accessTokenAlgorithm, type SigningKey } from "../domain/access-token.ts";
import type { IdentityTables } from "./tables.ts";

/**
 * Creates the signing key pair unless an active one exists. The private JWK is kept in identity's
 * database (the embedded default), so tokens outlive restarts. Processes that start at once may
 * each generate a pair, but the unique index on the active flag lets only one of them in.
 */
export async function ensureSigningKey(db: Kysely<IdentityTables>): Promise<void> {
  const active = await db
    .selectFrom("signing_keys")
    .select("kid")
    .where("active", "=", true)
    .executeTakeFirst();
  if (active) return;
  const kid = uuidv7();
  const { publicKey, privateKey } = await generateKeyPair(accessTokenAlgorithm, { extractable: true });
  const describe = (jwk: JWK): JWK => ({ ...jwk, kid, alg: accessTokenAlgorithm, use: "sig" });
  await db
    .insertInto("signing_keys")
    .values({
      kid,
      algorithm: accessTokenAlgorithm,
      public_jwk: JSON.stringify(describe(await exportJWK(publicKey))),
      private_jwk: JSON.stringify(describe(await exportJWK(privateKey))),
      active: true,
    })
    .onConflict((conflict) => conflict.doNothing())
    .execute();
}

interface Keys {
  signing: SigningKey;
  jwks: JSONWebKeySet;
}

/** The active signing key and the public key set, read once from the database. */
export class SigningKeyRing {
  private keys: Promise<Keys> | undefined;

  constructor(private readonly db: Kysely<IdentityTables>) {}

  async signingKey(): Promise<SigningKey> {
    return (await this.load()).signing;
  }

  async jwks(): Promise<JSONWebKeySet> {
    return (await this.load()).jwks;
  }

  private load(): Promise<Keys> {
    this.keys ??= this.read().catch((error: unknown) => {
      this.keys = undefined;
      throw error;
    });
    return this.keys;
  }

  private async read(): Promise<Keys> {
    await ensureSigningKey(this.db);
    const rows = await this.db
      .selectFrom("signing_keys")
      .select(["kid", "algorithm", "public_jwk", "private_jwk", "active"])
      .orderBy("created_at", "desc")
      .execute();
    const active = rows.find((row) => row.active);
    if (!active) throw new Error("No active signing key after creating one");
    return {
      signing: {
        kid: active.kid,
        privateKey: await importJWK(JSON.parse(active.private_jwk) as JWK, active.algorithm),
      },
      jwks: { keys: rows.map((row) => JSON.parse(row.public_jwk) as JWK) },
    };
  }
}
