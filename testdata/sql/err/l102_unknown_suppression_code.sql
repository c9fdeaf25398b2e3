-- code: L102
-- A suppression naming an unknown code, and one naming a syntax error.
-- starsnap:ignore L0l1 -- typo
DROP REPOSITORY old_repo;
-- starsnap:ignore S001 -- cannot be silenced
SHOW REPOSITORIES;
