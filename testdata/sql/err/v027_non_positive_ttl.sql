-- code: V027
-- A ttl that is not positive.
-- dialect: starrocks-4.2
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("ttl" = "0 DAY");
