"""The catalog pane: one tree of connections and their objects (load, reconnect, describe, insert names)."""
