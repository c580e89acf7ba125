-- rest_search as the service runs it (db::contributions::search, relevance from db::relevance):
-- the oldest of the newest 1,000 matches (the ranking window), then the matches inside the
-- window scored by the database (per query word: 2 when in the title, 1 when in the summary,
-- read from rank_terms ' title words | summary words '), the page cut in SQL.
-- 'migration' has the forms migrat (en/fr stem) and migration. Variables: org.
SELECT COALESCE((SELECT id FROM contributions
  WHERE ((status = 'published' OR organisation_id = :org) OR status <> 'draft') AND search_vector @@ to_tsquery('simple', '(''migrat'' | ''migration'')')
  ORDER BY id DESC LIMIT 1 OFFSET 999), '') AS oldest \gset
SELECT id, consultation, session, segment, group_id, kind, practice_category, title, summary, body, language,
       scope, replicable, replicability_notes, external_ref, status, version, organisation_id, org_kind, created_by,
       endorsement_count, progress_status, question_ids, regions, themes, links, created_at, updated_at,
       submitted_at, published_at,
       (0 + CASE WHEN (rank_terms LIKE '% migrat %|%' OR rank_terms LIKE '% migration %|%') THEN 2 ELSE 0 END
          + CASE WHEN (rank_terms LIKE '%|% migrat %' OR rank_terms LIKE '%|% migration %') THEN 1 ELSE 0 END) AS relevance
FROM contributions
WHERE ((status = 'published' OR organisation_id = :org) OR status <> 'draft') AND search_vector @@ to_tsquery('simple', '(''migrat'' | ''migration'')') AND id >= :oldest
ORDER BY relevance DESC, id DESC LIMIT 51;
