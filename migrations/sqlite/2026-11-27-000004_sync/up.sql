-- The change feed (also the webhooks' transactional outbox), webhook subscriptions and
-- their deliveries. On SQLite writers are serialised, so `seq` is commit order; `txid`
-- is unused (0).
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    txid BIGINT NOT NULL DEFAULT 0,
    contribution_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    event TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    status_before TEXT,
    status_after TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX changes_order ON changes (txid, seq);

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    -- whether the subscribing client held the `review` scope (what it may see)
    reviewer BOOLEAN NOT NULL,
    created_by TEXT NOT NULL,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TEXT,
    active BOOLEAN NOT NULL,
    disabled_reason TEXT,
    failure_streak INTEGER NOT NULL DEFAULT 0,
    -- how far the change feed has been turned into deliveries
    cursor_txid BIGINT NOT NULL,
    cursor_seq BIGINT NOT NULL,
    lease_owner TEXT,
    lease_until TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_organisation ON webhooks (organisation_id);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- order within the subscription
    position BIGINT NOT NULL,
    change_seq BIGINT NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_status_code INTEGER,
    last_error TEXT,
    next_attempt_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    UNIQUE (webhook_id, position)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, status, position);
