-- code: L006
-- RESTORE without replication_num (info by default; raised here).
-- severity: L006=warning
RESTORE SNAPSHOT snap_0601 FROM s3_repo DATABASE sales ON (TABLE orders AS orders_restored)
PROPERTIES ("backup_timestamp" = "2024-12-09-10-25-58-842");
