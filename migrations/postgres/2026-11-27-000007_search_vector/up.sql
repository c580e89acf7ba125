-- The index words as a stored tsvector: a search that matches most rows reads it instead of
-- running to_tsvector over every row's words again.
ALTER TABLE contributions
  ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_terms)) STORED;
CREATE INDEX contributions_search_vector ON contributions USING GIN (search_vector);
DROP INDEX contributions_search;
-- Ranking words get a space on each side of every word (' title words | summary words '), so
-- the relevance of a match is one LIKE per word form and part.
UPDATE contributions SET rank_terms = ' ' || replace(rank_terms, '|', ' | ') || ' ' WHERE rank_terms IS NOT NULL;
