-- code: V005
-- An empty function name.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (FUNCTION ``);
