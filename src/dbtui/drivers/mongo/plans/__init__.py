"""MongoDB explain output (classic, SBE, aggregate, sharded) parsed into plan trees (pure)."""
