CREATE TABLE users (
  id text PRIMARY KEY,
  -- Stored lowercase, so that the unique index makes addresses unique whatever their case.
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  name text NOT NULL,
  password_hash text NOT NULL,
  roles text[] NOT NULL CHECK (roles <@ ARRAY['customer', 'admin']::text[] AND cardinality(roles) > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One chain of rotated refresh tokens, started by a sign-in; revoked as a whole when a used token comes back.
CREATE TABLE refresh_token_families (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

CREATE INDEX refresh_token_families_user ON refresh_token_families (user_id);

CREATE TABLE refresh_tokens (
  -- SHA-256 of the token, hex: the token itself is never stored.
  token_hash text PRIMARY KEY,
  family_id text NOT NULL REFERENCES refresh_token_families (id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- The keys that sign access tokens. The private key lives here in the embedded default.
CREATE TABLE signing_keys (
  kid text PRIMARY KEY,
  algorithm text NOT NULL,
  public_jwk text NOT NULL,
  private_jwk text NOT NULL,
  active boolean NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- At most one active key, so that processes starting at once agree on it.
CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys (active) WHERE active;
