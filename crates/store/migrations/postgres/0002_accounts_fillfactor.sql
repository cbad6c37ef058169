-- Every commit rewrites the balances of the accounts it touched. Room left on
-- each page lets PostgreSQL update those rows in place (HOT), without a new
-- index entry per update.
ALTER TABLE accounts SET (fillfactor = 50);
