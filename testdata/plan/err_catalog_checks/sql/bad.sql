BACKUP DATABASE sales SNAPSHOT manual_1 TO s3_main
ON (TABLE events PARTITION (p20991231), TABLE no_such_table);
BACKUP DATABASE empty_db SNAPSHOT manual_2 TO s3_main;
BACKUP DATABASE missing_db SNAPSHOT manual_3 TO s3_main;
RESTORE SNAPSHOT sales.no_such_snapshot FROM s3_main
PROPERTIES ("backup_timestamp" = "2026-11-20-04-00-01-123");
RESTORE SNAPSHOT sales.`nightly-sales-20261120-040000-full` FROM s3_main
PROPERTIES ("backup_timestamp" = "2026-11-20-04-00-09-999");
