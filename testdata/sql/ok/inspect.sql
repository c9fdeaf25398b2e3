-- Read-only checks an operator runs before a restore.
USE sales;
SELECT COUNT(*) FROM orders WHERE order_date >= '2024-06-01';
SHOW PARTITIONS FROM sales.orders;
SHOW SNAPSHOT ON s3_repo;
SHOW BACKUP;
SHOW RESTORE;
SHOW REPOSITORIES;
