-- code: V019
-- An empty repository name.
DROP REPOSITORY ``;
