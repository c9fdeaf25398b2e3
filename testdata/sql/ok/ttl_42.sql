-- dialect: starrocks-4.2
-- StarRocks 4.2: snapshots that expire by themselves, and explicit deletion.
BACKUP DATABASE sales SNAPSHOT sales_20240601 TO s3_repo
ON (TABLE orders)
PROPERTIES ("type" = "full", "ttl" = "30 DAY");

SHOW SNAPSHOT ON s3_repo WHERE SNAPSHOT = 'sales_20240601';

DROP SNAPSHOT sales_20240101 ON s3_repo;
