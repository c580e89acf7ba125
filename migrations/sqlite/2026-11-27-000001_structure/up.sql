-- The consultation's structure, taxonomies and organisations.
-- Ids are UUIDs stored as text; texts carry one column per language; timestamps are RFC 3339 UTC text.
CREATE TABLE consultations (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title_en TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    theme_en TEXT NOT NULL,
    theme_fr TEXT NOT NULL,
    venue_en TEXT NOT NULL,
    venue_fr TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE purposes (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text_en TEXT NOT NULL,
    text_fr TEXT NOT NULL,
    UNIQUE (consultation_id, position)
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title_en TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    UNIQUE (consultation_id, number)
);

CREATE TABLE segments (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('discussion', 'breakout', 'plenary')),
    position INTEGER NOT NULL,
    title_en TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    UNIQUE (session_id, key)
);

CREATE TABLE objectives (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    segment_id TEXT REFERENCES segments (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text_en TEXT NOT NULL,
    text_fr TEXT NOT NULL
);
CREATE INDEX objectives_consultation ON objectives (consultation_id);

-- Topics (meeting-level questions) have no session; sub-items point to their parent.
CREATE TABLE questions (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    session_id TEXT REFERENCES sessions (id) ON DELETE CASCADE,
    segment_id TEXT REFERENCES segments (id) ON DELETE CASCADE,
    parent_id TEXT REFERENCES questions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label TEXT,
    text_en TEXT NOT NULL,
    text_fr TEXT NOT NULL
);
CREATE INDEX questions_consultation ON questions (consultation_id);

CREATE TABLE question_references (
    question_id TEXT NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    document TEXT NOT NULL,
    section TEXT,
    paragraph INTEGER NOT NULL,
    PRIMARY KEY (question_id, position)
);
CREATE INDEX question_references_consultation ON question_references (consultation_id);

CREATE TABLE breakout_groups (
    id TEXT PRIMARY KEY NOT NULL,
    consultation_id TEXT NOT NULL REFERENCES consultations (id) ON DELETE CASCADE,
    segment_id TEXT NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (segment_id, name)
);
CREATE INDEX breakout_groups_consultation ON breakout_groups (consultation_id);

CREATE TABLE breakout_group_regions (
    group_id TEXT NOT NULL REFERENCES breakout_groups (id) ON DELETE CASCADE,
    region TEXT NOT NULL,
    PRIMARY KEY (group_id, region)
);

CREATE TABLE taxonomies (
    key TEXT PRIMARY KEY NOT NULL,
    position INTEGER NOT NULL,
    title_en TEXT NOT NULL,
    title_fr TEXT NOT NULL
);

CREATE TABLE taxonomy_terms (
    id TEXT PRIMARY KEY NOT NULL,
    taxonomy_key TEXT NOT NULL REFERENCES taxonomies (key) ON DELETE CASCADE,
    code TEXT NOT NULL,
    position INTEGER NOT NULL,
    label_en TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    title_en TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    unverified BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (taxonomy_key, code)
);

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    seed_key TEXT UNIQUE,
    name TEXT NOT NULL,
    acronym TEXT,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX organisations_name ON organisations (name);

CREATE TABLE organisation_regions (
    organisation_id TEXT NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    region TEXT NOT NULL,
    PRIMARY KEY (organisation_id, region)
);
