-- code: L014
-- SHOW RESTORE ignores WHERE.
SHOW RESTORE FROM sales WHERE Label = 'snap_0601';
