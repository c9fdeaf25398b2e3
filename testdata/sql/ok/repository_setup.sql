-- Repository for the nightly backups. Credentials come from the environment at apply time.
CREATE REPOSITORY s3_repo
WITH BROKER
ON LOCATION "s3://acme-starrocks-backups/prod"
PROPERTIES (
    "aws.s3.region" = "us-east-1",
    "aws.s3.endpoint" = "https://s3.us-east-1.amazonaws.com",
    "aws.s3.access_key" = "${AWS_ACCESS_KEY_ID}",
    "aws.s3.secret_key" = "${AWS_SECRET_ACCESS_KEY}"
);

-- A read-only view of last year's repository, for restores only.
CREATE READ ONLY REPOSITORY s3_archive
WITH BROKER
ON LOCATION "s3://acme-starrocks-backups/archive-2023"
PROPERTIES ("aws.s3.region" = "us-east-1", "aws.s3.use_instance_profile" = "true");

SHOW REPOSITORIES;
