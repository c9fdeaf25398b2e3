-- code: V008
-- A backup type StarRocks does not know.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("type" = "differential");
