UPDATE contributions SET rank_terms = replace(trim(rank_terms), ' | ', '|') WHERE rank_terms IS NOT NULL;
