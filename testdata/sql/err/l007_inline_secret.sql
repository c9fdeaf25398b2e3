-- code: L007
-- Secrets written inline (the values are never repeated in findings).
CREATE REPOSITORY s3_repo WITH BROKER ON LOCATION "s3://bucket/backups"
PROPERTIES (
    "aws.s3.region" = "us-east-1",
    "aws.s3.access_key" = "AKIAEXAMPLEEXAMPLE",
    "aws.s3.secret_key" = "example-secret-do-not-use"
);
