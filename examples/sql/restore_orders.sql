-- Restore one month of orders next to the live table, to compare before swapping.
RESTORE SNAPSHOT sales.`nightly-sales-20261120-020000-full`
FROM s3_main
ON (
    orders PARTITION (p202610) AS orders_restored
)
PROPERTIES (
    "backup_timestamp" = "2026-11-20-02-00-02-481",
    "replication_num" = "3"
);
