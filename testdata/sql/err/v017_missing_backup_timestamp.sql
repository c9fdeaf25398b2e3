-- code: V017
-- RESTORE without backup_timestamp (the example from the StarRocks docs).
RESTORE SNAPSHOT sr_all_backup
FROM test_repo
DATABASE sr_hub AS sr_hub_restored
ON (ALL TABLES)
PROPERTIES ("replication_num" = "3");
