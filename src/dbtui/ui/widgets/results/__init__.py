"""The output area: results table, Redis replies, Details and Messages tabs, with paging, export and cell viewers."""
