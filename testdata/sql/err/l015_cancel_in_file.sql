-- code: L015
-- CANCEL in a committed file.
CANCEL BACKUP FROM sales;
