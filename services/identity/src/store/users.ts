import type { AuthenticatedUser, Role } from "@mercato/platform";
import type { Kysely } from "kysely";
import type { IdentityTables } from "./tables.ts";

export interface StoredUser extends AuthenticatedUser {
  passwordHash: string;
}

const columns = ["id", "email", "name", "roles", "password_hash"] as const;

function toUser(row: {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  password_hash: string;
}): StoredUser {
  return { id: row.id, email: row.email, name: row.name, roles: row.roles, passwordHash: row.password_hash };
}

/** Inserts the user unless the email is taken; undefined when it is. `email` must be normalized. */
export async function insertUser(
  db: Kysely<IdentityTables>,
  user: { id: string; email: string; name: string; passwordHash: string; roles: Role[] },
): Promise<StoredUser | undefined> {
  const row = await db
    .insertInto("users")
    .values({
      id: user.id,
      email: user.email,
      name: user.name,
      password_hash: user.passwordHash,
      roles: user.roles,
    })
    .onConflict((conflict) => conflict.column("email").doNothing())
    .returning(columns)
    .executeTakeFirst();
  return row && toUser(row);
}

export async function findUserByEmail(
  db: Kysely<IdentityTables>,
  email: string,
): Promise<StoredUser | undefined> {
  const row = await db.selectFrom("users").select(columns).where("email", "=", email).executeTakeFirst();
  return row && toUser(row);
}

export async function findUserById(db: Kysely<IdentityTables>, id: string): Promise<StoredUser | undefined> {
  const row = await db.selectFrom("users").select(columns).where("id", "=", id).executeTakeFirst();
  return row && toUser(row);
}
