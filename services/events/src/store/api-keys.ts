import type { SealedBox } from "@mercato/platform";
import type { Kysely } from "kysely";
import { v7 as uuidv7 } from "uuid";
import { type ApiKeySecrets, secretPurposes } from "../domain/api-key-secrets.ts";
import type { EventsTables } from "./tables.ts";

export interface ApiKey {
  id: string;
  name: string;
  createdAt: Date;
}

/** Keeps a new key: its bearer key and access key id as fingerprints, its SigV4 secret sealed. */
export async function createApiKey(
  db: Kysely<EventsTables>,
  box: SealedBox,
  name: string,
  secrets: ApiKeySecrets,
): Promise<ApiKey> {
  const row = await db
    .insertInto("api_keys")
    .values({
      id: uuidv7(),
      name,
      key_fingerprint: box.fingerprint(secrets.key, secretPurposes.key),
      access_key_fingerprint: box.fingerprint(secrets.accessKeyId, secretPurposes.accessKeyId),
      sealed_secret: box.seal(secrets.secretAccessKey, secretPurposes.secretAccessKey),
    })
    .returning(["id", "name", "created_at"])
    .executeTakeFirstOrThrow();
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

/** One page of keys, newest first, after the key `after` (its creation time and id). */
export async function listApiKeys(
  db: Kysely<EventsTables>,
  page: { limit: number; after?: { createdAt: string; id: string } | undefined },
): Promise<ApiKey[]> {
  let query = db
    .selectFrom("api_keys")
    .select(["id", "name", "created_at"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(page.limit);
  const after = page.after;
  if (after) {
    const at = new Date(after.createdAt);
    query = query.where((eb) =>
      eb.or([eb("created_at", "<", at), eb.and([eb("created_at", "=", at), eb("id", "<", after.id)])]),
    );
  }
  const rows = await query.execute();
  return rows.map((row) => ({ id: row.id, name: row.name, createdAt: row.created_at }));
}

/** Deletes the key: every later request with it is refused. False when there is no such key. */
export async function deleteApiKey(db: Kysely<EventsTables>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("api_keys").where("id", "=", id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The key whose bearer key is `key`, if it exists (not revoked). */
export async function findKeyByBearer(
  db: Kysely<EventsTables>,
  box: SealedBox,
  key: string,
): Promise<ApiKey | undefined> {
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "name", "created_at"])
    .where("key_fingerprint", "=", box.fingerprint(key, secretPurposes.key))
    .executeTakeFirst();
  return row && { id: row.id, name: row.name, createdAt: row.created_at };
}

/** The key with this access key id and its SigV4 secret, opened, if it exists (not revoked). */
export async function findKeyByAccessKeyId(
  db: Kysely<EventsTables>,
  box: SealedBox,
  accessKeyId: string,
): Promise<(ApiKey & { secretAccessKey: string }) | undefined> {
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "name", "created_at", "sealed_secret"])
    .where("access_key_fingerprint", "=", box.fingerprint(accessKeyId, secretPurposes.accessKeyId))
    .executeTakeFirst();
  if (!row) return undefined;
  const secretAccessKey = box.open(row.sealed_secret, secretPurposes.secretAccessKey);
  return { id: row.id, name: row.name, createdAt: row.created_at, secretAccessKey };
}
