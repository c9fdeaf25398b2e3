-- Nightly backup of the sales database (3.4 syntax: explicit database and object kinds).
BACKUP DATABASE sales SNAPSHOT sales_20240601
TO s3_repo
ON (TABLE orders, TABLE customers, TABLE order_items PARTITION (p202405, p202406), VIEW v_daily_revenue)
PROPERTIES ("type" = "full", "timeout" = "86400");

-- Functions travel with the data.
BACKUP DATABASE sales SNAPSHOT sales_udfs_20240601 TO s3_repo ON (ALL FUNCTIONS);

SHOW BACKUP FROM sales;
SHOW SNAPSHOT ON s3_repo WHERE SNAPSHOT = 'sales_20240601';
