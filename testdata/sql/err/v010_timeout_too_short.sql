-- code: V010
-- A timeout below ten minutes.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("timeout" = "60");
