import type { Role } from "@mercato/platform";
import type { Generated } from "kysely";

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  roles: Role[];
  created_at: Generated<Date>;
}

export interface RefreshTokenFamiliesTable {
  id: string;
  user_id: string;
  created_at: Generated<Date>;
  revoked_at: Date | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  family_id: string;
  expires_at: Date;
  used_at: Date | null;
  created_at: Generated<Date>;
}

export interface SigningKeysTable {
  kid: string;
  algorithm: string;
  public_jwk: string;
  private_jwk: string;
  active: boolean;
  created_at: Generated<Date>;
}

export interface IdentityTables {
  users: UsersTable;
  refresh_token_families: RefreshTokenFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
}
