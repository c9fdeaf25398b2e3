-- code: L002
-- BACKUP naming no database fails at execution in 3.4.
USE sales;
BACKUP SNAPSHOT snap_0601 TO s3_repo;
