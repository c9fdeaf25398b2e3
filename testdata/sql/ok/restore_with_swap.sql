-- Restore yesterday's orders next to the live table, then swap atomically.
SHOW SNAPSHOT ON s3_repo WHERE SNAPSHOT = 'sales_20240601' AND TIMESTAMP = '2024-06-01-02-00-13-517';

RESTORE SNAPSHOT sales_20240601
FROM s3_repo
DATABASE sales
ON (TABLE orders AS orders_restored, TABLE customers AS customers_restored)
PROPERTIES (
    "backup_timestamp" = "2024-06-01-02-00-13-517",
    "replication_num" = "3",
    "timeout" = "86400"
);

SHOW RESTORE FROM sales;

ALTER TABLE sales.orders SWAP WITH orders_restored;
ALTER TABLE sales.customers SWAP WITH customers_restored;
