ALTER TABLE sales.events SWAP WITH events_restored;
