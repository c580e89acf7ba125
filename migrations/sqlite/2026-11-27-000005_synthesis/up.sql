-- The plenary synthesis (outcomes resting on contributions) and the follow-up of commitments.
CREATE TABLE outcomes (
    id TEXT PRIMARY KEY NOT NULL,
    consultation TEXT NOT NULL REFERENCES consultations (slug),
    kind TEXT NOT NULL,
    session INTEGER,
    segment TEXT,
    group_id TEXT REFERENCES breakout_groups (id),
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    status TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    adopted_at TEXT,
    transmitted_at TEXT
);
CREATE INDEX outcomes_consultation ON outcomes (consultation, created_at);

CREATE TABLE outcome_contributions (
    outcome_id TEXT NOT NULL REFERENCES outcomes (id) ON DELETE CASCADE,
    contribution_id TEXT NOT NULL REFERENCES contributions (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (outcome_id, contribution_id)
);

CREATE TABLE progress_reports (
    id TEXT PRIMARY KEY NOT NULL,
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    note TEXT,
    as_of TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX progress_reports_contribution ON progress_reports (contribution_id, as_of, created_at);
