BACKUP DATABASE sales SNAPSHOT manual_1 TO s3_main
ON (TABLE events PARTITION (p20991231), TABLE no_such_table);
BACKUP DATABASE empty_db SNAPSHOT manual_2 TO s3_main;
BACKUP DATABASE missing_db SNAPSHOT manual_3 TO s3_main;
