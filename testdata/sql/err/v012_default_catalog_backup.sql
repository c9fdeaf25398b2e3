-- code: V012
-- default_catalog cannot be backed up as an external catalog.
BACKUP EXTERNAL CATALOG (hive_prod, default_catalog) SNAPSHOT catalogs_0601 TO s3_repo;
