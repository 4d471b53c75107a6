-- API keys for ingestion (api.md, "Events in"). The bearer key and the SigV4 access key id are kept
-- only as HMAC-SHA256 fingerprints under the platform key (both are long random strings, so a fast
-- keyed hash is enough, and a stolen table cannot be checked against guesses); the SigV4 secret is
-- sealed (AES-256-GCM), since checking a signature needs the secret itself. Revoking deletes the row.
CREATE TABLE api_keys (
  id text PRIMARY KEY,
  name text NOT NULL,
  key_fingerprint text NOT NULL UNIQUE,
  access_key_fingerprint text NOT NULL UNIQUE,
  sealed_secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX api_keys_newest ON api_keys (created_at DESC, id DESC);

-- Signatures of /aws/events requests already served, kept while their X-Amz-Date is within the
-- five minutes of clock skew that make them acceptable: the same signed request again is a replay.
CREATE TABLE seen_signatures (
  signature text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);

CREATE INDEX seen_signatures_expiry ON seen_signatures (expires_at);
