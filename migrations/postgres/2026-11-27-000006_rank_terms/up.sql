-- Stemmed words of the title and of the summary ('title words|summary words'), for ranking
-- search results without re-stemming; filled at start-up for rows written before.
ALTER TABLE contributions ADD COLUMN rank_terms TEXT;
