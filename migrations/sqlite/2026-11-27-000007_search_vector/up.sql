-- Postgres stores its search vector in this step; SQLite's FTS5 table already holds the words.
-- Ranking words get a space on each side of every word (' title words | summary words '), so
-- the relevance of a match is one LIKE per word form and part.
UPDATE contributions SET rank_terms = ' ' || replace(rank_terms, '|', ' | ') || ' ' WHERE rank_terms IS NOT NULL;
