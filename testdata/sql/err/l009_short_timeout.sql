-- code: L009
-- A short timeout for a whole-database backup (info by default; raised here).
-- severity: L009=warning
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo PROPERTIES ("timeout" = "1800");
