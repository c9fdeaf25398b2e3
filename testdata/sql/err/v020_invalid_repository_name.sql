-- code: V020
-- A repository name with a colon.
CREATE REPOSITORY `a:repo` WITH BROKER ON LOCATION "s3://bucket/backups";
