-- code: L011
-- DROP REPOSITORY forgets every snapshot.
DROP REPOSITORY old_repo;
