"""Engine-neutral, I/O-free pieces of the index advisor.

* :mod:`.shape`: what a SQL statement asks of each table (the model; the PostgreSQL grammar
  walker that fills it is :mod:`dbtui.drivers.postgres.sqlwalk`);
* :mod:`.indexes`: index specs, their DDL, and prefix coverage by existing indexes;
* :mod:`.candidates`: candidate indexes from a statement's shape;
* :mod:`.dexter`: Dexter's cost thresholds for hypothetical-index checks;
* :mod:`.heuristic`: PgHero's statistics heuristic (no HypoPG);
* :mod:`.workload`: merging per-statement suggestions into a ranked workload;
* :mod:`.evidence`: reasons and evidence lines in plain words.

Single-engine rules live with their engine: MongoDB's Equality-Sort-Range rule in
:mod:`dbtui.drivers.mongo.esr`, Redis memory advice in :mod:`dbtui.drivers.redis.memory_advice`.
Drivers do the I/O (EXPLAIN, catalog reads) and call these.
"""
