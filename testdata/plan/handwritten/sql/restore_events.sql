-- Restore two days of events next to the live table.
RESTORE SNAPSHOT sales.`nightly-sales-20261120-040000-full` FROM s3_main
ON (TABLE events PARTITION (p20250101, p20250102) AS events_restored)
PROPERTIES ("backup_timestamp" = "2026-11-20-04-00-01-123", "replication_num" = "1");
