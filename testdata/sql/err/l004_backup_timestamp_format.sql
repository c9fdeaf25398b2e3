-- code: L004
-- A seconds-only timestamp (Apache Doris form).
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales ON (TABLE orders AS orders_restored)
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58", "replication_num" = "3");
