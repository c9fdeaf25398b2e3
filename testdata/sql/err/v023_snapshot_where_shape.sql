-- code: V023
-- SHOW SNAPSHOT does not support OR.
SHOW SNAPSHOT ON s3_repo WHERE SNAPSHOT = 'snap_0601' OR SNAPSHOT = 'snap_0602';
