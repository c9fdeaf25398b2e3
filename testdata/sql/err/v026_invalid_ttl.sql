-- code: V026
-- A ttl that is not `<n> <unit>` (StarRocks 4.2 rejects "7d").
-- dialect: starrocks-4.2
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("ttl" = "7d");
