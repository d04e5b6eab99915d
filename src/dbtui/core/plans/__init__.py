"""Engine-neutral plan helpers: the parse error and its decorator, formatting, statistics, JSON.

Each engine's parser lives in its own package (``dbtui.drivers.postgres.plans``,
``dbtui.drivers.mongo.plans``, ``dbtui.drivers.sqlite.plans``); they are pure and need no
connection, so ``dbtui explain --plan-file`` uses them directly.
"""
