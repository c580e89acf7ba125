-- rest_search as the service runs it today (service::contributions::search_page): every match's
-- (id, title, summary, language) is read and ranked in Rust, then the 50 rows of the page by id.
-- Variables: org; page_ids (a literal list substituted by run.sh: the 50 ids of the first page).
SELECT id, title, summary, language
FROM contributions
WHERE ((status = 'published' OR organisation_id = :org) OR status <> 'draft') AND to_tsvector('simple', search_terms) @@ to_tsquery('simple', '(''migrat'' | ''migration'')');
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE id IN (@PAGE_IDS@);
