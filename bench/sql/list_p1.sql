-- rest_list_p1: GET /api/v1/contributions?status=published&limit=50 (the service fetches limit+1).
-- Variables: none used (a filter on published needs no visibility clause: everyone sees them).
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE status = 'published'
ORDER BY id DESC LIMIT 51;
