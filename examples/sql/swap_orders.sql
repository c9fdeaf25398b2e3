-- Atomically exchange the restored table with the live one (no window without a table).
ALTER TABLE sales.orders SWAP WITH orders_restored;
