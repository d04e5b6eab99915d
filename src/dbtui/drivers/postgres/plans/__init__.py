"""PostgreSQL plans: JSON and psql text EXPLAIN output parsed and analysed (pure; no connection needed)."""
