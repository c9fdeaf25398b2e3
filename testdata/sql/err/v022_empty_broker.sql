-- code: V022
-- A broker name that is present but empty.
CREATE REPOSITORY s3_repo WITH BROKER `` ON LOCATION "s3://bucket/backups";
