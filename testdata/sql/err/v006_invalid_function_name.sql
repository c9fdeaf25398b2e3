-- code: V006
-- A function name with a character other than letters, digits and underscores.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo ON (FUNCTION `parse-date`);
