-- code: L012
-- A partition listed twice.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (TABLE orders PARTITION (p202401, p202401));
