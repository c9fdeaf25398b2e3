-- code: L001
-- Legacy syntax with a 3.4 rewrite.
BACKUP SNAPSHOT sales.snap_0601 TO s3_repo ON (orders, customers);
