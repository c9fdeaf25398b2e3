-- Restore one month of orders next to the live table, to compare before swapping.
RESTORE SNAPSHOT sales.`nightly-sales-20261101-020000-full` FROM s3_main
ON (TABLE orders PARTITION (p202610) AS orders_restored)
PROPERTIES ("backup_timestamp" = "2026-11-01-02-00-03-117", "replication_num" = "3");
