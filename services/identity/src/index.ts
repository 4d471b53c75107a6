import { defineService } from "@mercato/platform";
import { registerAuthRoutes } from "./api/auth.ts";
import { registerJwksRoute } from "./api/jwks.ts";
import { registerMeRoutes } from "./api/me.ts";
import { ensureFirstAdmin } from "./first-admin.ts";
import { ensureSigningKey, SigningKeyRing } from "./store/signing-keys.ts";
import type { IdentityTables } from "./store/tables.ts";
import { refreshFamilyPruning } from "./tasks/refresh-family-pruning.ts";

export { defaultAdmin } from "./first-admin.ts";
export type { IdentityTables } from "./store/tables.ts";

/** Accounts: users, credentials, roles, refresh tokens and the keys that sign access tokens. */
export const identityService = defineService<IdentityTables>({
  name: "identity",
  migrations: new URL("../migrations/", import.meta.url),
  routes(app, context) {
    const keys = new SigningKeyRing(context.db);
    registerAuthRoutes(app, context, keys);
    registerMeRoutes(app, context);
    registerJwksRoute(app, keys);
  },
  async onStart(context) {
    await ensureSigningKey(context.db);
    await ensureFirstAdmin(context);
  },
  tasks: [refreshFamilyPruning],
});
