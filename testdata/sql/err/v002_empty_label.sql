-- code: V002
-- An empty snapshot label.
BACKUP DATABASE sales SNAPSHOT `` TO s3_repo;
