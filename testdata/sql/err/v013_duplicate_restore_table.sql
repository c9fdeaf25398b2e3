-- code: V013
-- The same table twice in one RESTORE.
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales
ON (TABLE orders AS orders_a, orders)
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "3");
