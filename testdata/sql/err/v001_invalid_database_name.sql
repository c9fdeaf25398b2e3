-- code: V001
-- StarRocks refuses a database name that starts with a digit.
BACKUP SNAPSHOT `2@3`.snap_0601 TO s3_repo;
