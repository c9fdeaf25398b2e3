-- code: V014
-- A RESTORE alias equal to another listed table.
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales
ON (TABLE orders AS customers, TABLE customers AS customers_restored)
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842", "replication_num" = "3");
