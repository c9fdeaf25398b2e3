-- code: V003
-- An empty repository name.
BACKUP DATABASE sales SNAPSHOT snap_0601 TO ``;
