-- code: L008
-- The same label twice in one repository.
BACKUP DATABASE sales SNAPSHOT nightly TO s3_repo;
BACKUP DATABASE sales SNAPSHOT nightly TO s3_repo;
