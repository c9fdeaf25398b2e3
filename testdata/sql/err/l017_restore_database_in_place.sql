-- code: L017
-- Whole-database restore in place.
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "3");
