"""Parsers that turn each engine's raw EXPLAIN output into :class:`dbtui.core.plan.Plan`."""
