"""SQL text of every catalog query, kept apart from the code that runs it.

One query per tree level, never one per object: each returns every child of
one node in a single round trip, whatever the catalog size. Parameters are
psycopg named placeholders (``%(schema)s``); there is no other ``%`` in the
text. Works on PostgreSQL 12 and later.
"""

from __future__ import annotations

#: The oid of the relation named by %(schema)s and %(name)s.
_TARGET = """(SELECT c.oid FROM pg_catalog.pg_class c
   JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = %(schema)s AND c.relname = %(name)s)"""

#: True when the object (classid, oid) belongs to an extension.
_EXTENSION_MEMBER = """EXISTS (SELECT 1 FROM pg_catalog.pg_depend dep
  WHERE dep.classid = {classid}::regclass AND dep.objid = {oid} AND dep.deptype = 'e')"""

DATABASES = """
SELECT d.datname,
       d.datname = pg_catalog.current_database() AS is_current,
       pg_catalog.pg_get_userbyid(d.datdba) AS owner,
       pg_catalog.pg_encoding_to_char(d.encoding) AS encoding,
       d.datallowconn,
       pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
  FROM pg_catalog.pg_database d
 WHERE NOT d.datistemplate
 ORDER BY d.datname
"""

SCHEMAS = """
SELECT n.nspname,
       pg_catalog.pg_get_userbyid(n.nspowner) AS owner,
       (n.nspname IN ('pg_catalog', 'information_schema')) AS is_system,
       pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment,
       (SELECT count(*) FROM pg_catalog.pg_class c
         WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')
           AND NOT c.relispartition) AS tables
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname !~ '^pg_(toast|temp_)'
 ORDER BY is_system, n.nspname
"""

SCHEMA_COUNTS = f"""
WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %(schema)s),
rels AS (
  SELECT c.relkind, count(*) AS n FROM pg_catalog.pg_class c, ns
   WHERE c.relnamespace = ns.oid AND NOT c.relispartition GROUP BY c.relkind)
SELECT
  (SELECT coalesce(sum(n), 0) FROM rels WHERE relkind IN ('r', 'p'))::bigint AS tables,
  (SELECT coalesce(sum(n), 0) FROM rels WHERE relkind = 'v')::bigint AS views,
  (SELECT coalesce(sum(n), 0) FROM rels WHERE relkind = 'm')::bigint AS matviews,
  (SELECT coalesce(sum(n), 0) FROM rels WHERE relkind = 'f')::bigint AS foreign_tables,
  (SELECT coalesce(sum(n), 0) FROM rels WHERE relkind = 'S')::bigint AS sequences,
  (SELECT count(*) FROM pg_catalog.pg_proc p, ns WHERE p.pronamespace = ns.oid
     AND NOT {_EXTENSION_MEMBER.format(classid="'pg_catalog.pg_proc'", oid="p.oid")}
  ) AS functions,
  (SELECT count(*) FROM pg_catalog.pg_type t, ns WHERE t.typnamespace = ns.oid
     AND t.typtype IN ('b', 'c', 'd', 'e', 'r')
     AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
     AND (t.typrelid = 0 OR (SELECT r.relkind FROM pg_catalog.pg_class r
                               WHERE r.oid = t.typrelid) = 'c')
     AND NOT {_EXTENSION_MEMBER.format(classid="'pg_catalog.pg_type'", oid="t.oid")}
  ) AS types,
  (SELECT count(*) FROM pg_catalog.pg_extension e, ns
    WHERE e.extnamespace = ns.oid) AS extensions
"""

RELATIONS = """
SELECT c.relname,
       c.relkind,
       c.reltuples::bigint AS estimate,
       pg_catalog.quote_ident(c.relname) AS quoted,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
         AS qualified,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,
       d.description AS comment,
       fs.srvname AS foreign_server,
       CASE WHEN c.relkind = 'S' THEN pg_catalog.format_type(s.seqtypid, NULL) END AS seqtype,
       s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle,
       CASE WHEN c.relkind = 'S'
             AND pg_catalog.has_sequence_privilege(c.oid, 'SELECT,USAGE')
            THEN pg_catalog.pg_sequence_last_value(c.oid) END AS last_value
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_description d
         ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass
        AND d.objsubid = 0
  LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
  LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver
  LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
 WHERE n.nspname = %(schema)s
   AND c.relkind = ANY(%(kinds)s)
   AND NOT c.relispartition
 ORDER BY c.relname
"""

PARTITIONS = f"""
SELECT c.relname,
       n.nspname,
       c.relkind,
       c.reltuples::bigint AS estimate,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
         AS qualified,
       pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey
  FROM pg_catalog.pg_inherits i
  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE i.inhparent = {_TARGET}
 ORDER BY c.relname
"""

RELATION_COUNTS = f"""
WITH target AS {_TARGET}
SELECT
  (SELECT count(*) FROM pg_catalog.pg_attribute a, target
    WHERE a.attrelid = target.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
  (SELECT count(*) FROM pg_catalog.pg_index i, target WHERE i.indrelid = target.oid) AS indexes,
  (SELECT count(*) FROM pg_catalog.pg_constraint k, target
    WHERE k.conrelid = target.oid) AS constraints,
  (SELECT count(*) FROM pg_catalog.pg_trigger t, target
    WHERE t.tgrelid = target.oid AND NOT t.tgisinternal) AS triggers,
  (SELECT count(*) FROM pg_catalog.pg_inherits h, target
    WHERE h.inhparent = target.oid) AS partitions,
  (SELECT c.relkind FROM pg_catalog.pg_class c, target WHERE c.oid = target.oid) AS relkind
"""

COLUMNS = f"""
SELECT a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) AS default_expr,
       a.attidentity,
       a.attgenerated,
       pg_catalog.col_description(a.attrelid, a.attnum) AS comment,
       pg_catalog.quote_ident(a.attname) AS quoted,
       EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                WHERE i.indrelid = a.attrelid AND i.indisprimary
                  AND a.attnum = ANY(i.indkey)) AS in_primary_key
  FROM pg_catalog.pg_attribute a
  LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
 WHERE a.attrelid = {_TARGET} AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""

INDEXES = f"""
SELECT ic.relname,
       pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
       i.indisunique,
       i.indisprimary,
       i.indpred IS NOT NULL AS is_partial,
       i.indisvalid,
       pg_catalog.pg_relation_size(i.indexrelid) AS size,
       s.idx_scan,
       am.amname
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_am am ON am.oid = ic.relam
  LEFT JOIN pg_catalog.pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
 WHERE i.indrelid = {_TARGET}
 ORDER BY i.indisprimary DESC, ic.relname
"""

CONSTRAINTS = f"""
SELECT k.conname,
       k.contype::text AS contype,
       pg_catalog.pg_get_constraintdef(k.oid, true) AS definition,
       CASE WHEN k.contype = 'f' THEN k.confrelid::regclass::text END AS target,
       k.convalidated,
       k.condeferrable
  FROM pg_catalog.pg_constraint k
 WHERE k.conrelid = {_TARGET}
 ORDER BY pg_catalog.strpos('pufcxtn', k.contype::text), k.conname
"""

TRIGGERS = f"""
SELECT t.tgname,
       pg_catalog.pg_get_triggerdef(t.oid, true) AS definition,
       t.tgenabled::text AS enabled,
       p.proname
  FROM pg_catalog.pg_trigger t
  JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
 WHERE t.tgrelid = {_TARGET} AND NOT t.tgisinternal
 ORDER BY t.tgname
"""

FUNCTIONS = f"""
SELECT p.proname,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
       p.prokind::text AS prokind,
       pg_catalog.pg_get_function_result(p.oid) AS result,
       l.lanname,
       p.provolatile::text AS volatility,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname) AS qualified,
       pg_catalog.obj_description(p.oid, 'pg_proc') AS comment
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE n.nspname = %(schema)s
   AND NOT {_EXTENSION_MEMBER.format(classid="'pg_catalog.pg_proc'", oid="p.oid")}
 ORDER BY p.proname, args
"""

TYPES = f"""
SELECT t.typname,
       t.typtype::text AS typtype,
       pg_catalog.format_type(t.oid, NULL) AS display,
       CASE t.typtype
         WHEN 'e' THEN (SELECT pg_catalog.string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder)
                          FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid)
         WHEN 'c' THEN (SELECT pg_catalog.string_agg(
                                 a.attname || ' ' || pg_catalog.format_type(a.atttypid, a.atttypmod),
                                 ', ' ORDER BY a.attnum)
                          FROM pg_catalog.pg_attribute a
                         WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped)
         WHEN 'd' THEN pg_catalog.format_type(t.typbasetype, t.typtypmod)
         WHEN 'r' THEN (SELECT pg_catalog.format_type(r.rngsubtype, NULL)
                          FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid)
       END AS definition,
       pg_catalog.obj_description(t.oid, 'pg_type') AS comment,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(t.typname) AS qualified
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname = %(schema)s
   AND t.typtype IN ('b', 'c', 'd', 'e', 'r')
   AND NOT (t.typcategory = 'A' AND t.typelem <> 0)
   AND (t.typrelid = 0 OR (SELECT r.relkind FROM pg_catalog.pg_class r
                             WHERE r.oid = t.typrelid) = 'c')
   AND NOT {_EXTENSION_MEMBER.format(classid="'pg_catalog.pg_type'", oid="t.oid")}
 ORDER BY t.typname
"""

EXTENSIONS = """
SELECT e.extname,
       e.extversion,
       pg_catalog.obj_description(e.oid, 'pg_extension') AS comment
  FROM pg_catalog.pg_extension e
  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
 WHERE n.nspname = %(schema)s
 ORDER BY e.extname
"""

TABLE_DETAILS = f"""
SELECT c.relkind,
       c.reltuples::bigint AS estimate,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       CASE WHEN c.relkind = 'p'
            THEN (SELECT sum(pg_catalog.pg_total_relation_size(pt.relid))
                    FROM pg_catalog.pg_partition_tree(c.oid) pt)
            ELSE pg_catalog.pg_total_relation_size(c.oid) END::bigint AS total_size,
       pg_catalog.pg_relation_size(c.oid) AS table_size,
       pg_catalog.pg_indexes_size(c.oid) AS index_size,
       CASE WHEN c.reltoastrelid <> 0
            THEN pg_catalog.pg_total_relation_size(c.reltoastrelid) END AS toast_size,
       s.n_live_tup, s.n_dead_tup, s.seq_scan, s.seq_tup_read, s.idx_scan, s.idx_tup_fetch,
       s.n_tup_ins, s.n_tup_upd, s.n_tup_del,
       s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze,
       s.vacuum_count, s.autovacuum_count, s.analyze_count, s.autoanalyze_count,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment
  FROM pg_catalog.pg_class c
  LEFT JOIN pg_catalog.pg_stat_all_tables s ON s.relid = c.oid
 WHERE c.oid = {_TARGET}
"""

DATABASE_DETAILS = """
SELECT pg_catalog.pg_get_userbyid(d.datdba) AS owner,
       pg_catalog.pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate,
       CASE WHEN pg_catalog.has_database_privilege(d.oid, 'CONNECT')
            THEN pg_catalog.pg_database_size(d.oid) END AS size,
       s.numbackends,
       s.xact_commit,
       s.xact_rollback,
       pg_catalog.shobj_description(d.oid, 'pg_database') AS comment
  FROM pg_catalog.pg_database d
  LEFT JOIN pg_catalog.pg_stat_database s ON s.datid = d.oid
 WHERE d.datname = %(name)s
"""

#: Names for type oids psycopg does not know, for result column headers.
TYPE_NAMES = """
SELECT t.oid::int, pg_catalog.format_type(t.oid, NULL)
  FROM pg_catalog.pg_type t WHERE t.oid = ANY(%(oids)s)
"""

SERVER_VERSION = "SHOW server_version"
