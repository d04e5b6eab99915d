"""SQL text of the PostgreSQL index advisor and health checks (data, no logic).

Parameters use psycopg's ``%(name)s`` style, so a literal ``%`` is written ``%%``: run
every query with a parameter mapping (empty when it takes none).
The health queries follow ``plans-and-advisors.md`` B.8 (verified on PostgreSQL 15),
returning sizes in bytes and schema-qualified, quoted names ready for DDL.
"""

from __future__ import annotations

SETUP = """
SELECT current_setting('server_version_num')::int AS version,
       (SELECT e.extnamespace::regnamespace::text FROM pg_extension e
         WHERE e.extname = 'hypopg') AS hypopg_schema,
       (SELECT e.extnamespace::regnamespace::text FROM pg_extension e
         WHERE e.extname = 'pg_stat_statements') AS pss_schema,
       EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg') AS hypopg_available,
       EXISTS (SELECT 1 FROM pg_settings WHERE name = 'pg_stat_statements.max') AS pss_loaded,
       (SELECT e.extnamespace::regnamespace::text FROM pg_extension e
         WHERE e.extname = 'pg_qualstats') AS qualstats_schema,
       EXISTS (SELECT 1 FROM pg_settings WHERE name = 'pg_qualstats.enabled')
         AND EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_qualstats')
         AS qualstats_loaded,
       pg_is_in_recovery() AS standby,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser
"""

TABLES = """
SELECT t.ord, c.oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind,
       greatest(c.reltuples, 0)::float8 AS reltuples, c.relpages
FROM unnest(%(schemas)s::text[], %(names)s::text[]) WITH ORDINALITY AS t(schema, name, ord)
JOIN pg_class c ON c.oid = to_regclass(
    CASE WHEN t.schema IS NULL THEN format('%%I', t.name)
         ELSE format('%%I.%%I', t.schema, t.name) END)
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY t.ord
"""

COLUMNS = """
SELECT attrelid AS oid, attname AS name, format_type(atttypid, atttypmod) AS type
FROM pg_attribute
WHERE attrelid = ANY(%(oids)s::oid[]) AND attnum > 0 AND NOT attisdropped
ORDER BY attrelid, attnum
"""

INDEXES = """
SELECT i.indrelid AS oid, c.relname AS name, am.amname AS method, i.indisvalid AS valid,
       i.indpred IS NOT NULL AS partial, i.indisunique AS is_unique,
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
             FROM generate_series(1, i.indnkeyatts) AS k ORDER BY k) AS keys
FROM pg_index i
JOIN pg_class c ON c.oid = i.indexrelid
JOIN pg_am am ON am.oid = c.relam
WHERE i.indrelid = ANY(%(oids)s::oid[])
"""

VIEW_DEFINITIONS = """
SELECT c.oid, pg_get_viewdef(c.oid) AS definition
FROM pg_class c WHERE c.oid = ANY(%(oids)s::oid[]) AND c.relkind = 'v'
"""

PARTIAL_STATS = """
SELECT attname AS column_name, null_frac::float8 AS null_frac, n_distinct::float8 AS n_distinct,
       most_common_vals::text::text[] AS mcv, most_common_freqs::float8[] AS mcf
FROM pg_stats
WHERE schemaname = %(schema)s AND tablename = %(name)s
ORDER BY inherited DESC
"""
"""Figures for partial-index candidates (a partitioned parent only has ``inherited`` rows)."""

STATS = """
SELECT schemaname AS schema, tablename AS name, attname AS column_name,
       null_frac::float8 AS null_frac, n_distinct::float8 AS n_distinct
FROM pg_stats
WHERE NOT inherited
  AND (schemaname, tablename) IN (SELECT * FROM unnest(%(schemas)s::text[], %(names)s::text[]))
"""

WORKLOAD = """
SELECT s.queryid, min(s.query) AS query, sum(s.calls)::bigint AS calls,
       sum(s.total_exec_time {plan_time})::float8 AS total_ms
FROM {schema}.pg_stat_statements s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND s.queryid IS NOT NULL
  AND s.query ~* '^[\\s(]*(select|with|insert|update|delete|merge|values|table)\\M'
GROUP BY s.queryid
ORDER BY total_ms DESC
LIMIT %(limit)s
"""
"""``{schema}`` is the extension's quoted schema; ``{plan_time}`` is ``+ s.total_plan_time``
on PostgreSQL 13 and later, empty before. Utility statements (EXPLAIN, SET, DDL...) are
left out by their first word; the advisor checks the rest with the parser."""

QUALSTATS_STATEMENTS = """
SELECT s.queryid, min(s.query) AS query, sum(s.calls)::bigint AS calls,
       sum(s.total_exec_time {plan_time})::float8 AS total_ms, min(f.filtered)::bigint AS filtered,
       min(f.quals) AS quals
FROM (
  SELECT q.queryid, sum(q.nbfiltered)::bigint AS filtered,
         string_agg(DISTINCT format('%%s.%%s %%s ?', q.lrelid::regclass, a.attname,
                                    o.oprname), ' AND ') AS quals
  FROM {qualstats}.pg_qualstats() q
  JOIN pg_attribute a ON a.attrelid = q.lrelid AND a.attnum = q.lattnum
  JOIN pg_operator o ON o.oid = q.opno
  WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
    AND q.eval_type = 'f' AND q.queryid IS NOT NULL AND q.nbfiltered > 0
  GROUP BY q.queryid
  HAVING sum(q.nbfiltered) >= %(min_filtered)s
) f
JOIN {pss}.pg_stat_statements s ON s.queryid = f.queryid
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
GROUP BY s.queryid
ORDER BY min(f.filtered) DESC
LIMIT %(limit)s
"""
"""Statements whose predicates pg_qualstats saw evaluated as filters after a scan (rows read
and thrown away: what an index avoids), most rows filtered first, with their recorded time
from pg_stat_statements. ``{qualstats}``, ``{pss}``: the extensions' quoted schemas."""

# -- health (B.8) ----------------------------------------------------------------------------

_USER_TABLES = "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'"

STATS_RESET = """
SELECT stats_reset, now() AS now FROM pg_stat_database WHERE datname = current_database()
"""
"""Since when usage counts (``idx_scan``, ``seq_scan``) count. PostgreSQL 15 has no per-index
reset time (``pg_stat_all_indexes.last_idx_scan`` arrives in 16): the database's
``stats_reset`` applies; NULL means never reset (counts survive clean restarts since 15)."""

_KEEP_ORDER = (
    "d.constraint_name IS NOT NULL DESC, d.indisprimary DESC, d.indisunique DESC, "
    "d.indexrelid, d.index_relname"
)

UNUSED_INDEXES = """
SELECT format('%%I.%%I', s.schemaname, s.relname) AS table_name,
       format('%%I.%%I', s.schemaname, s.indexrelname) AS index_name,
       s.idx_scan, pg_relation_size(s.indexrelid) AS bytes
FROM pg_stat_user_indexes s
JOIN pg_index i ON i.indexrelid = s.indexrelid
WHERE s.idx_scan = 0 AND i.indisvalid
  AND NOT i.indisunique AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = s.indexrelid)
ORDER BY pg_relation_size(s.indexrelid) DESC
"""

DUPLICATE_INDEXES = f"""
WITH d AS (
  SELECT i.*, ic.relname AS index_relname, ic.relam AS index_am, n.nspname,
         t.relname AS table_relname,
         (SELECT c.conname FROM pg_constraint c WHERE c.conindid = i.indexrelid
           ORDER BY c.contype = 'p' DESC, c.conname LIMIT 1) AS constraint_name
  FROM pg_index i
  JOIN pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE {_USER_TABLES}
)
SELECT format('%%I.%%I', d.nspname, d.table_relname) AS table_name,
       array_agg(format('%%I.%%I', d.nspname, d.index_relname) ORDER BY {_KEEP_ORDER}) AS indexes,
       array_agg(d.constraint_name IS NOT NULL ORDER BY {_KEEP_ORDER}) AS enforcing,
       array_agg(coalesce(d.constraint_name, '') ORDER BY {_KEEP_ORDER}) AS constraints,
       array_agg(d.indisprimary ORDER BY {_KEEP_ORDER}) AS is_primary,
       array_agg(d.indisunique ORDER BY {_KEEP_ORDER}) AS is_unique,
       array_agg(d.indexrelid::int8 ORDER BY {_KEEP_ORDER}) AS oids,
       array_agg(coalesce(s.idx_scan, 0) ORDER BY {_KEEP_ORDER}) AS scans,
       array_agg(pg_relation_size(d.indexrelid) ORDER BY {_KEEP_ORDER}) AS sizes
FROM d
LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = d.indexrelid
GROUP BY d.nspname, d.table_relname, d.indrelid, d.index_am,
         d.indkey::text, d.indclass::text, d.indcollation::text, d.indoption::text,
         coalesce(pg_get_expr(d.indexprs, d.indrelid), ''),
         coalesce(pg_get_expr(d.indpred, d.indrelid), '')
HAVING count(*) > 1
"""
"""Groups of identical indexes, the one to keep first: the one backing a constraint, then the
primary key, then a unique one, then the oldest (lowest oid: created first), then by name."""

REDUNDANT_INDEXES = f"""
SELECT format('%%I.%%I', n.nspname, t.relname) AS table_name,
       format('%%I.%%I', n.nspname, ca.relname) AS index_name,
       format('%%I.%%I', n.nspname, cb.relname) AS covered_by,
       pg_get_indexdef(b.indexrelid) AS covered_by_def,
       pg_relation_size(a.indexrelid) AS bytes
FROM pg_index a
JOIN pg_index b ON a.indrelid = b.indrelid AND a.indexrelid <> b.indexrelid
JOIN pg_class ca ON ca.oid = a.indexrelid
JOIN pg_class cb ON cb.oid = b.indexrelid
JOIN pg_class t ON t.oid = a.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE {_USER_TABLES}
  AND ca.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND cb.relam = ca.relam
  AND b.indisvalid
  AND a.indnkeyatts < b.indnkeyatts
  AND (b.indkey::int2[])[0:a.indnkeyatts - 1] = (a.indkey::int2[])[0:a.indnkeyatts - 1]
  AND (b.indclass::oid[])[0:a.indnkeyatts - 1] = (a.indclass::oid[])[0:a.indnkeyatts - 1]
  AND a.indexprs IS NULL AND b.indexprs IS NULL AND a.indpred IS NULL AND b.indpred IS NULL
  AND NOT a.indisunique AND NOT a.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = a.indexrelid)
ORDER BY pg_relation_size(a.indexrelid) DESC
"""

UNINDEXED_FOREIGN_KEYS = """
SELECT format('%%I.%%I', n.nspname, t.relname) AS table_name, c.conname AS fk,
       array_agg(a.attname ORDER BY x.n) AS fk_columns,
       c.confrelid::regclass::text AS referenced_table,
       pg_relation_size(c.conrelid) AS table_bytes,
       greatest(t.reltuples, 0)::float8 AS reltuples,
       (SELECT coalesce(sum(s.avg_width), 0) FROM pg_stats s
         WHERE s.schemaname = n.nspname AND s.tablename = t.relname
           AND s.attname = ANY(array_agg(a.attname)))::float8 AS key_width
FROM pg_constraint c
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS x(attnum, n)
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = x.attnum
JOIN pg_class t ON t.oid = c.conrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE c.contype = 'f'
  AND NOT EXISTS (
    SELECT 1 FROM pg_index i
    WHERE i.indrelid = c.conrelid AND i.indisvalid AND i.indpred IS NULL
      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
      AND (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey)
GROUP BY n.nspname, t.relname, t.reltuples, c.conrelid, c.conname, c.confrelid
ORDER BY pg_relation_size(c.conrelid) DESC
"""

SEQ_SCAN_TABLES = """
SELECT format('%%I.%%I', s.schemaname, s.relname) AS table_name, s.seq_scan, s.seq_tup_read,
       coalesce(s.idx_scan, 0) AS idx_scan, greatest(c.reltuples, 0)::bigint AS rows,
       s.seq_tup_read / greatest(s.seq_scan, 1) AS avg_rows_per_seq_scan
FROM pg_stat_user_tables s
JOIN pg_class c ON c.oid = s.relid
WHERE c.reltuples >= %(min_rows)s AND s.seq_scan > 0
  AND 100.0 * coalesce(s.idx_scan, 0) / (s.seq_scan + coalesce(s.idx_scan, 0)) < 95
  AND s.seq_tup_read / greatest(s.seq_scan, 1) >= %(min_rows)s
ORDER BY s.seq_tup_read DESC
LIMIT 20
"""
"""Table size from ``pg_class.reltuples`` (``n_live_tup`` is zeroed by ``pg_stat_reset()``)."""

INVALID_INDEXES = """
SELECT format('%%I.%%I', n.nspname, t.relname) AS table_name,
       format('%%I.%%I', n.nspname, ic.relname) AS index_name,
       pg_get_indexdef(i.indexrelid) AS definition,
       pg_relation_size(i.indexrelid) AS bytes
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE NOT i.indisvalid
  AND NOT EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                  WHERE p.index_relid = i.indexrelid)
"""

TABLE_BLOAT = f"""
WITH widths AS (
  SELECT s.schemaname, s.tablename,
         sum((1 - s.null_frac) * s.avg_width) AS data_width,
         max(s.null_frac) > 0 AS has_nulls, count(*) AS natts
  FROM pg_stats s WHERE NOT s.inherited GROUP BY s.schemaname, s.tablename)
SELECT format('%%I.%%I', n.nspname, c.relname) AS table_name,
       c.relpages::float8 AS relpages, greatest(c.reltuples, 0)::float8 AS reltuples,
       current_setting('block_size')::int AS block_size,
       w.data_width::float8 AS data_width, w.has_nulls, w.natts::int AS natts
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN widths w ON w.schemaname = n.nspname AND w.tablename = c.relname
WHERE c.relkind IN ('r', 'm') AND {_USER_TABLES}
  AND c.relpages::float8 * current_setting('block_size')::int >= %(min_bytes)s
"""
"""Raw figures for the table-bloat estimate, computed in Python (``health.table_bloat``)."""

INDEX_BLOAT = f"""
SELECT format('%%I.%%I', n.nspname, t.relname) AS table_name,
       format('%%I.%%I', n.nspname, ic.relname) AS index_name,
       ic.relpages::float8 AS relpages, greatest(ic.reltuples, 0)::float8 AS reltuples,
       current_setting('block_size')::int AS block_size,
       (SELECT sum(s.avg_width) FROM pg_attribute a
          JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = t.relname
                         AND s.attname = a.attname AND NOT s.inherited
         WHERE a.attrelid = t.oid AND a.attnum = ANY(i.indkey::int2[]))::float8 AS data_width,
       i.indisunique OR i.indisprimary AS enforcing
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE ic.relam = (SELECT oid FROM pg_am WHERE amname = 'btree') AND i.indexprs IS NULL
  AND i.indisvalid AND {_USER_TABLES}
  AND ic.relpages::float8 * current_setting('block_size')::int >= %(min_bytes)s
"""
"""Raw figures for the btree bloat estimate (PgHero's formula, ``health.index_bloat``)."""
