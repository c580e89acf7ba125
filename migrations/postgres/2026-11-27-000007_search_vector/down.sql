UPDATE contributions SET rank_terms = replace(trim(rank_terms), ' | ', '|') WHERE rank_terms IS NOT NULL;
CREATE INDEX contributions_search ON contributions USING GIN (to_tsvector('simple', search_terms));
DROP INDEX contributions_search_vector;
ALTER TABLE contributions DROP COLUMN search_vector;
