-- code: V018
-- A restore property from Apache Doris that StarRocks does not know.
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales ON (TABLE orders AS orders_restored)
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "3", "reserve_replica" = "true");
