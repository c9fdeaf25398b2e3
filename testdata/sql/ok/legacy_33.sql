-- dialect: starrocks-3.3
-- StarRocks 3.3 has only the legacy syntax: the database goes in the label.
BACKUP SNAPSHOT sales.sales_20240601 TO s3_repo ON (orders, customers PARTITION (p202406))
PROPERTIES ("type" = "full");

RESTORE SNAPSHOT sales.sales_20240601 FROM s3_repo ON (orders AS orders_restored)
PROPERTIES ("backup_timestamp" = "2024-06-01-02-00-13-517", "replication_num" = "3");

ALTER TABLE sales.orders SWAP WITH orders_restored;
