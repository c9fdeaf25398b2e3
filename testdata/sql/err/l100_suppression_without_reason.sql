-- code: L100
-- A suppression without a reason.
-- starsnap:ignore L011
DROP REPOSITORY old_repo;
