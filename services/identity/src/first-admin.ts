import type { ServiceContext } from "@mercato/platform";
import { v7 as uuidv7 } from "uuid";
import { normalizeEmail } from "./domain/email.ts";
import { hashPassword } from "./domain/password-hash.ts";
import type { IdentityTables } from "./store/tables.ts";
import { findUserByEmail, insertUser } from "./store/users.ts";

/** The embedded default's admin when MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD are unset (api.md). */
export const defaultAdmin = { email: "admin@mercato.local", password: "mercato-admin" } as const;

/**
 * Creates the first admin when the account is missing; an existing account is left as it is
 * (its password is not reset, no role is granted). Safe to run on every start and in processes
 * starting at once: the insert yields to an account created meanwhile.
 */
export async function ensureFirstAdmin({
  db,
  config,
  logger,
}: ServiceContext<IdentityTables>): Promise<void> {
  const admin = config.admin ?? defaultAdmin;
  const email = normalizeEmail(admin.email);
  const existing = await findUserByEmail(db, email);
  if (!existing) {
    const created = await insertUser(db, {
      id: uuidv7(),
      email,
      name: "Administrator",
      passwordHash: await hashPassword(admin.password),
      roles: ["admin"],
    });
    if (created) logger.info({ email }, "created the first admin");
  } else if (!existing.roles.includes("admin")) {
    logger.warn(
      { email },
      "The first admin's email belongs to an account without the admin role; it is left unchanged",
    );
  }
  if (!config.admin) {
    logger.warn(
      { email },
      `The default admin ${defaultAdmin.email} with the documented default password "${defaultAdmin.password}" is in use: set MERCATO_ADMIN_EMAIL and MERCATO_ADMIN_PASSWORD to create your own admin`,
    );
  }
}
