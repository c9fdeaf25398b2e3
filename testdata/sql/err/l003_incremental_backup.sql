-- code: L003
-- StarRocks takes no incremental backups.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("type" = "incremental");
