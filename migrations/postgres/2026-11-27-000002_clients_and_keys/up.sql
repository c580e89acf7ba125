-- API clients of partner organisations (OAuth 2.0 client credentials) and the server's
-- Ed25519 signing keys.
CREATE TABLE api_clients (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    -- argon2id PHC string; the secret itself is shown once and never stored.
    secret_hash TEXT NOT NULL,
    -- space-separated scopes
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE INDEX api_clients_organisation ON api_clients (organisation_id);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    -- PKCS#8 DER of the private key, base64; it never leaves the server.
    private_key TEXT NOT NULL,
    -- the raw public key, base64url (the JWK `x`)
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX signing_keys_created ON signing_keys (created_at);
