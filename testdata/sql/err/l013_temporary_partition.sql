-- code: L013
-- Temporary partitions are refused at execution.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (TABLE orders TEMPORARY PARTITION (tp1));
