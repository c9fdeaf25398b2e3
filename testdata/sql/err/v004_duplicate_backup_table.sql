-- code: V004
-- The same table twice in one BACKUP (StarRocks reports the second one's position).
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo
ON (TABLE orders, TABLE customers, TABLE orders);
