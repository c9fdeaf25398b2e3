-- code: V009
-- A timeout that is not a number of seconds.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("timeout" = "2h");
