-- code: V025
-- SHOW SNAPSHOT's IN list must hold strings.
SHOW SNAPSHOT ON s3_repo WHERE SNAPSHOT IN ('snap_0601', 20240602);
