-- code: V011
-- Backup properties StarRocks does not know (all of them are listed, in Java HashMap order).
BACKUP DATABASE sales SNAPSHOT snap_0601 TO s3_repo
PROPERTIES ("compress" = "true", "type" = "full", "Timeout" = "3600");
