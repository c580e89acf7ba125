-- gql_nested: { contributions(first: 50, filter: {status: PUBLISHED}) { totalCount edges { node {
--   id title organisation { id name kind } questions { id text } } } } }
-- = the page, its count, and the organisations of the page with their regions (one batched query
-- each: the DataLoader). The generated data has no question ids, so no question query runs.
-- Variables: org; @ORG_IDS@ is substituted by run.sh with the organisations of the first page.
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at
FROM contributions
WHERE status = 'published'
ORDER BY id DESC LIMIT 51;
SELECT count(*) FROM contributions WHERE status = 'published';
SELECT id, name, acronym, kind FROM organisations WHERE id IN (@ORG_IDS@);
SELECT organisation_id, region FROM organisation_regions WHERE organisation_id IN (@ORG_IDS@)
ORDER BY organisation_id, region;
