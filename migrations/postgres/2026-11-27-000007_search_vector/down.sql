CREATE INDEX contributions_search ON contributions USING GIN (to_tsvector('simple', search_terms));
DROP INDEX contributions_search_vector;
ALTER TABLE contributions DROP COLUMN search_vector;
