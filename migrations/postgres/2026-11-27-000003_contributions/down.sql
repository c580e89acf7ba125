DROP TABLE idempotency_keys;
DROP TABLE endorsements;
DROP TABLE contribution_revisions;
DROP TABLE contribution_questions;
DROP TABLE contribution_themes;
DROP TABLE contribution_regions;
DROP TABLE contributions;
