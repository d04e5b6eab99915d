"""Word lists for completion: SQL keywords and functions per dialect, MongoDB operators.

These are the fallbacks a :class:`~dbtui.core.completion.CatalogSnapshot`
uses when the driver supplies none (a driver may list the server's own
functions, e.g. from ``pg_proc``).
"""

from __future__ import annotations

_COMMON_KEYWORDS = """
SELECT FROM WHERE AND OR NOT NULL IS IN EXISTS BETWEEN LIKE AS ON USING JOIN INNER LEFT RIGHT
FULL OUTER CROSS NATURAL GROUP BY ORDER HAVING LIMIT OFFSET DISTINCT ALL UNION INTERSECT EXCEPT
CASE WHEN THEN ELSE END ASC DESC NULLS FIRST LAST INSERT INTO VALUES DEFAULT UPDATE SET DELETE
RETURNING CREATE TABLE VIEW INDEX UNIQUE PRIMARY KEY FOREIGN REFERENCES CHECK CONSTRAINT DROP
ALTER ADD COLUMN RENAME TO IF TEMPORARY TRIGGER BEGIN COMMIT ROLLBACK SAVEPOINT RELEASE
TRANSACTION EXPLAIN ANALYZE WITH RECURSIVE CAST COLLATE TRUE FALSE CONFLICT DO NOTHING
WINDOW OVER PARTITION ROWS RANGE PRECEDING FOLLOWING UNBOUNDED CURRENT ROW FILTER ESCAPE
"""

_POSTGRES_KEYWORDS = """
ILIKE SIMILAR ANY SOME ARRAY LATERAL ONLY TABLESAMPLE FETCH NEXT FOR SHARE NOWAIT SKIP LOCKED
TRUNCATE RESTART IDENTITY CASCADE RESTRICT SCHEMA SEQUENCE FUNCTION PROCEDURE LANGUAGE RETURNS
MATERIALIZED REFRESH CONCURRENTLY VACUUM FULL VERBOSE GRANT REVOKE ROLE USER OWNER EXTENSION
COPY STDIN STDOUT SHOW RESET DISCARD LISTEN NOTIFY UNLISTEN LOCK SEARCH_PATH BUFFERS FORMAT
COSTS TIMING SETTINGS WAL SUMMARY GENERATED ALWAYS STORED INCLUDE TABLESPACE COMMENT DOMAIN
TYPE ENUM SECURITY DEFINER INVOKER IMMUTABLE STABLE VOLATILE STRICT PARALLEL SAFE DEFERRABLE
INITIALLY DEFERRED IMMEDIATE ISOLATION LEVEL SERIALIZABLE REPEATABLE READ COMMITTED WRITE
"""

_SQLITE_KEYWORDS = """
GLOB REGEXP MATCH ABORT FAIL IGNORE REPLACE AUTOINCREMENT WITHOUT ROWID STRICT PRAGMA ATTACH
DETACH DATABASE VACUUM REINDEX QUERY PLAN DEFERRED IMMEDIATE EXCLUSIVE VIRTUAL INDEXED
"""

_COMMON_FUNCTIONS = """
count sum avg min max coalesce nullif abs round lower upper length trim ltrim rtrim replace
substr instr random cast
"""

_POSTGRES_FUNCTIONS = """
now current_date current_timestamp date_trunc date_part extract age to_char to_date
to_timestamp make_interval generate_series string_agg array_agg json_agg jsonb_agg
json_build_object jsonb_build_object jsonb_set jsonb_each jsonb_array_elements
jsonb_object_keys to_jsonb row_to_json unnest array_length cardinality concat concat_ws
format left right lpad rpad split_part regexp_replace regexp_matches position strpos
initcap md5 encode decode gen_random_uuid greatest least floor ceil trunc mod power sqrt
row_number rank dense_rank lag lead first_value last_value ntile percentile_cont bool_and
bool_or pg_size_pretty pg_total_relation_size pg_relation_size pg_backend_pid
pg_cancel_backend pg_terminate_backend current_setting set_config version
"""

_SQLITE_FUNCTIONS = """
date time datetime julianday strftime unixepoch ifnull iif typeof hex quote printf
group_concat total json json_extract json_array json_object json_each json_tree
json_group_array json_group_object last_insert_rowid changes total_changes glob like
zeroblob unicode char row_number rank dense_rank lag lead first_value last_value
"""


def _words(*blocks: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for block in blocks:
        for word in block.split():
            seen.setdefault(word, None)
    return tuple(seen)


SQL_KEYWORDS: dict[str, tuple[str, ...]] = {
    "postgresql": _words(_COMMON_KEYWORDS, _POSTGRES_KEYWORDS),
    "sqlite": _words(_COMMON_KEYWORDS, _SQLITE_KEYWORDS),
}
"""Keywords offered per dialect, upper case."""

SQL_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "postgresql": _words(_COMMON_FUNCTIONS, _POSTGRES_FUNCTIONS),
    "sqlite": _words(_COMMON_FUNCTIONS, _SQLITE_FUNCTIONS),
}
"""Built-in functions offered per dialect when the snapshot lists none, lower case."""

RESERVED = frozenset(
    _words(
        """
    ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC AUTHORIZATION BINARY BOTH CASE CAST
    CHECK COLLATE COLLATION COLUMN CONCURRENTLY CONSTRAINT CREATE CROSS CURRENT_CATALOG
    CURRENT_DATE CURRENT_ROLE CURRENT_SCHEMA CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER
    DEFAULT DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FREEZE FROM
    FULL GRANT GROUP HAVING ILIKE IN INDEX INITIALLY INNER INTERSECT INTO IS ISNULL JOIN
    LATERAL LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP NATURAL NOT NOTNULL NULL OFFSET
    ON ONLY OR ORDER OUTER OVERLAPS PLACING PRIMARY REFERENCES RETURNING RIGHT SELECT
    SESSION_USER SIMILAR SOME SYMMETRIC TABLE TABLESAMPLE THEN TO TRAILING TRUE UNION UNIQUE
    USER USING VARIADIC VERBOSE WHEN WHERE WINDOW WITH
    """
    )
)
"""Words that must be double-quoted to be used as identifiers (PostgreSQL's reserved list,
which also covers what SQLite refuses unquoted in practice)."""

_MONGO_QUERY = """
$eq $ne $gt $gte $lt $lte $in $nin $and $or $not $nor $exists $type $regex $options $expr
$mod $text $search $where $all $elemMatch $size $jsonSchema $geoWithin $geoIntersects $near
$nearSphere $box $center $centerSphere $geometry $polygon $maxDistance $minDistance
$bitsAllSet $bitsAnySet $bitsAllClear $bitsAnyClear $comment $meta $slice
"""

_MONGO_UPDATE = """
$set $unset $inc $mul $rename $min $max $currentDate $setOnInsert $push $pull $pullAll
$addToSet $pop $each $position $sort $bit
"""

_MONGO_STAGES = """
$match $project $group $sort $limit $skip $unwind $lookup $addFields $set $unset $count
$facet $bucket $bucketAuto $sortByCount $replaceRoot $replaceWith $sample $out $merge
$graphLookup $unionWith $densify $fill $setWindowFields $redact $geoNear $indexStats
$collStats $documents $changeStream $search
"""

_MONGO_EXPRESSIONS = """
$sum $avg $first $last $push $addToSet $stdDevPop $stdDevSamp $top $bottom $topN $bottomN
$firstN $lastN $maxN $minN $concat $substr $substrCP $toUpper $toLower $trim $split $strLenCP
$regexMatch $regexFind $replaceAll $cond $ifNull $switch $dateToString $dateFromString
$dateTrunc $dateAdd $dateDiff $year $month $dayOfMonth $hour $minute $second $week
$arrayElemAt $filter $map $reduce $concatArrays $isArray $in $indexOfArray $reverseArray
$zip $mergeObjects $objectToArray $arrayToObject $getField $setField $literal $let $toString
$toInt $toLong $toDouble $toDecimal $toDate $toObjectId $toBool $convert $add $subtract
$multiply $divide $mod $abs $ceil $floor $round $trunc $pow $sqrt $exp $ln $log $log10
$cmp $strcasecmp $rand
"""

MONGO_OPERATORS: tuple[str, ...] = _words(
    _MONGO_QUERY, _MONGO_UPDATE, _MONGO_STAGES, _MONGO_EXPRESSIONS
)
"""Query, update, aggregation-stage and expression operators, each once."""

MONGO_METHODS: tuple[str, ...] = _words(
    """
    find findOne aggregate countDocuments estimatedDocumentCount distinct insertOne
    insertMany updateOne updateMany replaceOne deleteOne deleteMany findOneAndUpdate
    findOneAndReplace findOneAndDelete bulkWrite createIndex dropIndex getIndexes drop
    stats explain sort limit skip projection
    """
)
"""Collection methods offered after ``db.<collection>.``."""
