-- code: S900
-- A statement outside the snapshot family that does not parse.
USE sales;
SELECT order_id, FROM orders WHERE;
