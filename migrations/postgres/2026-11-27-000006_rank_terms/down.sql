ALTER TABLE contributions DROP COLUMN rank_terms;
