import { defineService } from "@mercato/platform";
import { registerAuthRoutes } from "./api/auth.ts";
import { registerJwksRoute } from "./api/jwks.ts";
import { registerMeRoutes } from "./api/me.ts";
import { ensureFirstAdmin } from "./first-admin.ts";
import { pruneExpiredRefreshFamilies } from "./store/refresh-tokens.ts";
import { ensureSigningKey, SigningKeyRing } from "./store/signing-keys.ts";
import type { IdentityTables } from "./store/tables.ts";

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
    const pruned = await pruneExpiredRefreshFamilies(context.db);
    if (pruned > 0) context.logger.info({ families: pruned }, "deleted expired refresh token families");
  },
});
