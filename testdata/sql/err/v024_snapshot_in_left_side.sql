-- code: V024
-- SHOW SNAPSHOT's IN must be on the SNAPSHOT column.
SHOW SNAPSHOT ON s3_repo WHERE Label IN ('snap_0601', 'snap_0602');
