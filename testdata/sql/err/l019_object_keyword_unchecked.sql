-- code: L019
-- The VIEW keyword is not checked against the object (info by default; raised here).
-- severity: L019=warning
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (TABLE orders, VIEW v_daily_revenue);
