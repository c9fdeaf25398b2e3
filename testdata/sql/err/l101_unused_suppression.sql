-- code: L101
-- A suppression that silences nothing.
-- starsnap:ignore L011 -- retired repository
SHOW REPOSITORIES;
