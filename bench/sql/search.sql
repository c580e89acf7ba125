-- rest_search, a lower bound: GET /api/v1/contributions?q=migration&limit=50 without ranking, with
-- the page cut in SQL (newest first). 'migration' has the forms migrat (en/fr stem) and migration.
-- Variables: org.
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE ((status = 'published' OR organisation_id = :org) OR status <> 'draft') AND search_vector @@ to_tsquery('simple', '(''migrat'' | ''migration'')')
ORDER BY id DESC LIMIT 51;
