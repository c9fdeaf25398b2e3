-- code: L016
-- PARTITION (col = value) selects nothing.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (TABLE orders PARTITION (dt = '2024-06-01'));
