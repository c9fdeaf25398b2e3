-- Disaster recovery into an empty cluster: restoring whole databases in place is the point.
-- starsnap:ignore-file L017 -- the target cluster is empty; nothing is overwritten

CREATE READ ONLY REPOSITORY dr_repo
WITH BROKER
ON LOCATION "s3://acme-starrocks-backups/prod"
PROPERTIES ("aws.s3.region" = "us-east-1", "aws.s3.use_instance_profile" = "true");

RESTORE SNAPSHOT sales_20240601 FROM dr_repo DATABASE sales
PROPERTIES ("backup_timestamp" = "2024-06-01-02-00-13-517", "replication_num" = "3");

RESTORE SNAPSHOT crm_20240601 FROM dr_repo DATABASE crm
PROPERTIES ("backup_timestamp" = "2024-06-01-02-05-41-093", "replication_num" = "3");

-- starsnap:ignore L015 -- documented escape hatch, run by hand only if the restore hangs
CANCEL RESTORE FROM crm;
