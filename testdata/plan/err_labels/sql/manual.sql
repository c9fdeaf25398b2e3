-- A manual backup under a label the repository already holds.
BACKUP DATABASE sales SNAPSHOT `nightly-sales-20261122-040000-full` TO s3_main
ON (TABLE customers);
