-- rest_create: POST /api/v1/contributions with an Idempotency-Key, as one transaction: the key
-- lookup, the row (a copy of a template row: same sizes, same index words), its revision, its
-- change-feed row and the stored idempotent answer. Ids grow like the service's (time-ordered).
-- Variables: org, template_id. Needs the sequence bench_seq (made by run.sh). The key is a pgbench
-- variable, i.e. a bound parameter as in the service (an expression such as currval() would be
-- volatile, and the lookup could not use the primary key).
\set k random(1, 999999999999)
BEGIN;
INSERT INTO contributions (id, consultation, session, segment, group_id, kind, practice_category, title, summary,
  body, language, scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind,
  created_by, endorsement_count, progress_status, question_ids, regions, themes, links, search_terms, rank_terms,
  created_at, updated_at, submitted_at, published_at)
SELECT 'zzpgbench-' || lpad(nextval('bench_seq')::text, 26, '0'), consultation, session, segment, group_id, kind,
  practice_category, title, summary, body, language, scope, replicable, replicability_notes, NULL, 'draft', 1,
  :org, org_kind, 'pgbench', 0, NULL, question_ids, regions, themes, links, search_terms, rank_terms, created_at,
  updated_at, NULL, NULL
FROM contributions WHERE id = :template_id;
SELECT organisation_id, key, request_hash, status, response, created_at FROM idempotency_keys
WHERE organisation_id = :org AND key = 'pgbench-' || :k;
INSERT INTO contribution_revisions (contribution_id, version, at, by_client, status, snapshot)
SELECT 'zzpgbench-' || lpad(currval('bench_seq')::text, 26, '0'), 1, at, 'pgbench', 'draft', snapshot
FROM contribution_revisions WHERE contribution_id = :template_id AND version = 1;
INSERT INTO changes (contribution_id, version, event, organisation_id, status_before, status_after, snapshot, at)
SELECT 'zzpgbench-' || lpad(currval('bench_seq')::text, 26, '0'), 1, 'contribution.created', :org, NULL, 'draft',
  snapshot, at
FROM contribution_revisions WHERE contribution_id = :template_id AND version = 1;
INSERT INTO idempotency_keys (organisation_id, key, request_hash, status, response, created_at)
SELECT :org, 'pgbench-' || :k, md5(snapshot) || md5(snapshot), 201, snapshot, at
FROM contribution_revisions WHERE contribution_id = :template_id AND version = 1;
COMMIT;
