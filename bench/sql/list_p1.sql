-- rest_list_p1: GET /api/v1/contributions?status=published&limit=50 (the service fetches limit+1).
-- Variables: org (the caller's organisation; the caller is a reviewer).
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE ((status = 'published' OR organisation_id = :org) OR status <> 'draft') AND status = 'published'
ORDER BY id DESC LIMIT 51;
