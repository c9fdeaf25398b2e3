-- code: V007
-- A function name starting with a digit.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (FUNCTION `1st_day`);
