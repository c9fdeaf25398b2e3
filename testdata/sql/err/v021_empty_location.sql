-- code: V021
-- An empty location.
CREATE REPOSITORY s3_repo WITH BROKER ON LOCATION "";
