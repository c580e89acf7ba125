DROP TABLE progress_reports;
DROP TABLE outcome_contributions;
DROP TABLE outcomes;
