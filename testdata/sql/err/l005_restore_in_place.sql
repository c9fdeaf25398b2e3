-- code: L005
-- Restoring a table over itself is not atomic.
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales ON (TABLE orders)
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "3");
