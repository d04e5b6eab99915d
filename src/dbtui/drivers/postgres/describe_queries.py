"""Catalog queries behind :mod:`.describe` (psql's ``\\d``), one per section.

Every name the SQL returns for display or for DDL is already quoted by the server
(``quote_ident``), and definitions come from the server's own deparsers
(``pg_get_indexdef``, ``pg_get_constraintdef``, ``pg_get_triggerdef``,
``pg_get_viewdef``, ``pg_get_functiondef``), so the DDL reads back as the server wrote it.
Parameters: ``schema`` and ``name`` (or ``signature``) to find the object, then its ``oid``.
"""

from __future__ import annotations

_QUALIFIED = "pg_catalog.quote_ident({ns}.nspname) || '.' || pg_catalog.quote_ident({rel}.relname)"

RELATION = f"""
SELECT c.oid::bigint AS oid,
       c.relkind::text AS relkind,
       c.relpersistence::text AS persistence,
       {_QUALIFIED.format(ns="n", rel="c")} AS qualified,
       pg_catalog.pg_get_userbyid(c.relowner) AS owner,
       c.reltuples::bigint AS estimate,
       am.amname AS access_method,
       ts.spcname AS tablespace,
       c.relispartition AS is_partition,
       CASE WHEN c.relispartition
            THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS bound,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partkey,
       (SELECT pg_catalog.string_agg({_QUALIFIED.format(ns="pn", rel="pc")}, ', '
                                     ORDER BY i.inhseqno)
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
          JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) AS parents,
       c.reloptions AS options,
       CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END
         AS viewdef,
       pg_catalog.quote_ident(fs.srvname) AS foreign_server,
       ft.ftoptions AS foreign_options,
       c.relrowsecurity AS row_security,
       c.relforcerowsecurity AS force_row_security,
       pg_catalog.obj_description(c.oid, 'pg_class') AS comment
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
  LEFT JOIN pg_catalog.pg_tablespace ts ON ts.oid = c.reltablespace
  LEFT JOIN pg_catalog.pg_foreign_table ft ON ft.ftrelid = c.oid
  LEFT JOIN pg_catalog.pg_foreign_server fs ON fs.oid = ft.ftserver
 WHERE n.nspname = %(schema)s AND c.relname = %(name)s
"""

SIZES = """
SELECT CASE WHEN c.relkind = 'p'
            THEN (SELECT sum(pg_catalog.pg_total_relation_size(pt.relid))
                    FROM pg_catalog.pg_partition_tree(c.oid) pt)
            ELSE pg_catalog.pg_total_relation_size(c.oid) END::bigint AS total_size,
       pg_catalog.pg_relation_size(c.oid) AS table_size,
       pg_catalog.pg_indexes_size(c.oid) AS index_size
  FROM pg_catalog.pg_class c
 WHERE c.oid = %(oid)s::pg_catalog.oid
"""
"""Apart from :data:`RELATION`: the size functions wait for a lock, and a lock timeout
must cost only the sizes."""

COLUMNS = """
SELECT pg_catalog.quote_ident(a.attname) AS quoted,
       a.attname AS name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
       CASE WHEN a.attcollation <> t.typcollation
            THEN pg_catalog.quote_ident(co.collname) END AS collation,
       a.attnotnull AS not_null,
       a.attidentity::text AS identity,
       a.attgenerated::text AS generated,
       pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default_expr,
       a.attislocal AS is_local,
       pg_catalog.col_description(a.attrelid, a.attnum) AS comment
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
 WHERE a.attrelid = %(oid)s::pg_catalog.oid AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attnum
"""

INDEXES = """
SELECT pg_catalog.quote_ident(ic.relname) AS name,
       i.indisprimary AS is_primary,
       i.indisunique AS is_unique,
       i.indisvalid AS is_valid,
       pg_catalog.pg_get_indexdef(i.indexrelid, 0, true) AS definition,
       con.oid IS NOT NULL AS is_constraint,
       EXISTS (SELECT 1 FROM pg_catalog.pg_inherits ih WHERE ih.inhrelid = i.indexrelid)
         AS inherited
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  LEFT JOIN pg_catalog.pg_constraint con
         ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
        AND con.contype IN ('p', 'u', 'x')
 WHERE i.indrelid = %(oid)s::pg_catalog.oid
 ORDER BY i.indisprimary DESC, i.indisunique DESC, ic.relname
"""

CONSTRAINTS = """
SELECT pg_catalog.quote_ident(con.conname) AS name,
       con.contype::text AS type,
       pg_catalog.pg_get_constraintdef(con.oid, true) AS definition,
       con.conislocal AS is_local,
       con.convalidated AS validated
  FROM pg_catalog.pg_constraint con
 WHERE con.conrelid = %(oid)s::pg_catalog.oid AND con.contype <> 'n'
 ORDER BY CASE con.contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'c' THEN 2
                           WHEN 'x' THEN 3 WHEN 'f' THEN 4 ELSE 5 END,
          con.conname
"""

REFERENCED_BY = f"""
SELECT {_QUALIFIED.format(ns="n", rel="c")} AS source,
       pg_catalog.quote_ident(con.conname) AS name,
       pg_catalog.pg_get_constraintdef(con.oid, true) AS definition
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE con.confrelid = %(oid)s::pg_catalog.oid AND con.contype = 'f' AND con.conparentid = 0
 ORDER BY 1, 2
"""

TRIGGERS = """
SELECT pg_catalog.quote_ident(t.tgname) AS name,
       pg_catalog.pg_get_triggerdef(t.oid, true) AS definition,
       t.tgenabled::text AS enabled,
       t.tgparentid <> 0 AS inherited
  FROM pg_catalog.pg_trigger t
 WHERE t.tgrelid = %(oid)s::pg_catalog.oid AND NOT t.tgisinternal
 ORDER BY t.tgname
"""

POLICIES = """
SELECT pg_catalog.quote_ident(pol.polname) AS name,
       CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
                       WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
       pol.polpermissive AS permissive,
       CASE WHEN pol.polroles = '{0}' THEN 'PUBLIC'
            ELSE (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(r.rolname), ', '
                                               ORDER BY r.rolname)
                    FROM pg_catalog.pg_roles r WHERE r.oid = ANY (pol.polroles)) END AS roles,
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid) AS using_expr,
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid) AS check_expr
  FROM pg_catalog.pg_policy pol
 WHERE pol.polrelid = %(oid)s::pg_catalog.oid
 ORDER BY pol.polname
"""

PARTITIONS = f"""
SELECT {_QUALIFIED.format(ns="n", rel="c")} AS name,
       pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
  FROM pg_catalog.pg_inherits i
  JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE i.inhparent = %(oid)s::pg_catalog.oid AND c.relispartition
 ORDER BY 1
"""

SEQUENCE = """
SELECT pg_catalog.format_type(s.seqtypid, NULL) AS type,
       s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS minimum,
       s.seqmax AS maximum, s.seqcache AS cache, s.seqcycle AS cycle
  FROM pg_catalog.pg_sequence s
 WHERE s.seqrelid = %(oid)s::pg_catalog.oid
"""

FUNCTION = """
SELECT p.prokind::text AS prokind,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname)
         AS qualified,
       pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
       pg_catalog.pg_get_function_result(p.oid) AS result,
       l.lanname AS language,
       p.provolatile::text AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proparallel::text AS parallel,
       pg_catalog.pg_get_userbyid(p.proowner) AS owner,
       CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
       pg_catalog.obj_description(p.oid, 'pg_proc') AS comment
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  JOIN pg_catalog.pg_language l ON l.oid = p.prolang
 WHERE n.nspname = %(schema)s
   AND p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')'
       = %(signature)s
"""
