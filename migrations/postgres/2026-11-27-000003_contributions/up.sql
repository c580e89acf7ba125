-- Contributions of partner organisations, their revisions, endorsements and the
-- idempotency keys of their creation. Lists (regions, themes, questions, links) are kept
-- as JSON text on the row for reading, and in join tables for filtering.
CREATE TABLE contributions (
    id TEXT PRIMARY KEY NOT NULL,
    consultation TEXT NOT NULL REFERENCES consultations (slug),
    session INTEGER,
    segment TEXT,
    group_id TEXT REFERENCES breakout_groups (id),
    kind TEXT NOT NULL,
    practice_category TEXT,
    title TEXT NOT NULL,
    summary TEXT,
    body TEXT NOT NULL,
    language TEXT NOT NULL,
    scope TEXT,
    replicable BOOLEAN,
    replicability_notes TEXT,
    external_ref TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    org_kind TEXT NOT NULL,
    created_by TEXT NOT NULL,
    endorsement_count INTEGER NOT NULL DEFAULT 0,
    progress_status TEXT,
    question_ids TEXT NOT NULL,
    regions TEXT NOT NULL,
    themes TEXT NOT NULL,
    links TEXT NOT NULL,
    -- stemmed words of title, summary and body, space-separated (full-text index input)
    search_terms TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    published_at TEXT,
    UNIQUE (organisation_id, external_ref)
);
CREATE INDEX contributions_status ON contributions (status, id);
CREATE INDEX contributions_organisation ON contributions (organisation_id, id);
CREATE INDEX contributions_kind ON contributions (kind, id);
CREATE INDEX contributions_updated ON contributions (updated_at);
CREATE INDEX contributions_structure ON contributions (consultation, session, segment);

CREATE TABLE contribution_regions (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    region TEXT NOT NULL,
    PRIMARY KEY (contribution_id, region)
);
CREATE INDEX contribution_regions_region ON contribution_regions (region, contribution_id);

CREATE TABLE contribution_themes (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    term_id TEXT NOT NULL REFERENCES taxonomy_terms (id),
    PRIMARY KEY (contribution_id, term_id)
);
CREATE INDEX contribution_themes_term ON contribution_themes (term_id, contribution_id);

CREATE TABLE contribution_questions (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL REFERENCES questions (id),
    PRIMARY KEY (contribution_id, question_id)
);
CREATE INDEX contribution_questions_question ON contribution_questions (question_id, contribution_id);

CREATE TABLE contribution_revisions (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    at TEXT NOT NULL,
    by_client TEXT NOT NULL,
    status TEXT NOT NULL,
    -- the contribution as it was after this change (JSON)
    snapshot TEXT NOT NULL,
    PRIMARY KEY (contribution_id, version)
);

CREATE TABLE endorsements (
    contribution_id TEXT NOT NULL REFERENCES contributions (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    note TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (contribution_id, organisation_id)
);

CREATE TABLE idempotency_keys (
    organisation_id TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Full-text index over the stemmed words: the 'simple' configuration matches them as they are.
CREATE INDEX contributions_search ON contributions USING GIN (to_tsvector('simple', search_terms));
