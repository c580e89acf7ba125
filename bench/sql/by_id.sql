-- rest_by_id: GET /api/v1/contributions/{id} for a random published id (bench_ids is a helper
-- table of those ids, made by run.sh). Variables: nids.
\set n random(1, :nids)
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE id = (SELECT id FROM bench_ids WHERE n = :n);
