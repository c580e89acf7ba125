-- Postgres stores its search vector in this step; SQLite's FTS5 table already holds the words.
SELECT 1;
