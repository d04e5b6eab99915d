"""Engine-neutral, I/O-free pieces of the index advisor.

* :mod:`.shape` and :mod:`.sqlwalk`: what a SQL statement asks of each table (pglast);
* :mod:`.indexes`: index specs, their DDL, and prefix coverage by existing indexes;
* :mod:`.candidates`: candidate indexes from a statement's shape;
* :mod:`.dexter`: Dexter's cost thresholds for hypothetical-index checks;
* :mod:`.heuristic`: PgHero's statistics heuristic (no HypoPG);
* :mod:`.workload`: merging per-statement suggestions into a ranked workload;
* :mod:`.evidence`: reasons and evidence lines in plain words;
* :mod:`.esr`: MongoDB's Equality-Sort-Range compound index rule;
* :mod:`.redis_memory`: Redis memory advice from a key scan.

Drivers do the I/O (EXPLAIN, catalog reads) and call these.
"""
