-- rest_list_deep: the same list after a keyset cursor ~90% of the way through.
-- Variables: cursor_id (the id the cursor carries).
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE status = 'published' AND id < :cursor_id
ORDER BY id DESC LIMIT 51;
