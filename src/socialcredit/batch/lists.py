"""List entries: the per-case fold of :mod:`socialcredit.engine.lists`, as a bounded number of set steps.

Per (subject, list, key) the pure engine folds events in the order (day, phase, authority, record_id), phases
entry < extension < exit. Its state is one entry, active on day d when ``start <= d < end`` (end None: until
exit). Why one set step per entry ("session") is exact:

1. An extension with missing or out-of-range years, or on an until-exit entry, changes nothing: only valid
   extensions and exits are kept as ``ext/exit`` events (the latter kept for until-exit entries too).
2. After an entry opens at event s with end E0, the ext/exit events after s are applied while each is active
   (``day < E``): an extension moves E later (E only grows), an exit sets E to its own day. Days never decrease,
   so once one event is inactive every later one is too, and after an exit every later event is (its day is at
   least the exit's). The applied events are therefore exactly the longest prefix in which no event is
   inactive and none follows an exit, and E before the k-th one is ``add_years`` applied once per earlier
   extension: year + sum of their years, and 29 February stays so only while every intermediate year is leap.
   Window sums over the events after s compute this prefix without a loop.
3. Entry events while the entry is active are ignored. The next entry opens at the first entry event after the
   last applied event whose day is on or after the final end; for an exit, entries on the exit's own day come
   before it in phase order and are ignored, which "after the last applied event" captures.

Each step opens one entry per case still open, so the number of steps is the largest number of entries one
case has (one or two in practice), each step a few joins and window functions. The step loop runs in Python;
each step is a query on the engine.
"""

from __future__ import annotations

from datetime import date

import pyarrow as pa
from sqlglot import exp

from socialcredit.batch import datekeys as dk
from socialcredit.batch.backends import Backend
from socialcredit.batch.conditions import Attributes, compile_condition
from socialcredit.batch.sql import Expr, and_, case, col, fill, in_list, lit, or_
from socialcredit.scheme.model import ListRule, Scheme

ENTRIES = pa.schema(
    [
        ("subject_id", pa.string()),
        ("list_id", pa.string()),
        ("key", pa.string()),
        ("start", pa.date32()),
        ("end", pa.date32()),
        ("status", pa.string()),
    ]
)
"""The entry table: every entry of every list, with its status on the as-of day (active/ended/expired)."""

GROUP = "subject_id, l, k"
AFTER = "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING"
SO_FAR = "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"


def key_text(attrs: Attributes, name: str) -> Expr:
    """The key attribute as text, as ``str(value)`` (booleans lower case; integral floats end in ``.0``)."""
    f = attrs.get(name, "float")
    return fill(
        "CASE WHEN :b IS NOT NULL THEN CASE WHEN :b THEN 'true' ELSE 'false' END "
        "WHEN :i IS NOT NULL THEN CAST(:i AS VARCHAR) "
        "WHEN :f IS NOT NULL THEN CASE WHEN :f = FLOOR(:f) AND ABS(:f) < 1e15 "
        "THEN CAST(CAST(:f AS BIGINT) AS VARCHAR) || '.0' ELSE CAST(:f AS VARCHAR) END "
        "ELSE :t END",
        b=attrs.get(name, "bool"),
        i=attrs.get(name, "int"),
        f=f,
        t=attrs.get(name, "text"),
    )


def _events(index: int, rule: ListRule, attrs: Attributes, as_of: date) -> Expr:
    key = key_text(attrs, rule.entry.key) if rule.entry.key else lit("")
    present = attrs.present(rule.entry.key) if rule.entry.key else exp.true()
    durations = []
    for c in rule.entry.duration:
        end = exp.cast(exp.Null(), "BIGINT") if c.until_exit else dk.add_period(col("ok"), c.period)  # type: ignore[arg-type]
        durations.append((compile_condition(c.when, attrs), end))
    years = [
        (
            and_(
                fill("type = :t", t=x.record_type),
                fill(
                    ":v IS NOT NULL AND :v = FLOOR(:v) AND :v BETWEEN :lo AND :hi",
                    v=attrs.number(x.years_from),
                    lo=x.min,
                    hi=x.max,
                ),
            ),
            fill("CAST(:v AS BIGINT)", v=attrs.number(x.years_from)),
        )
        for x in rule.extensions
    ]
    exits = or_(*(and_(fill("type = :t", t=x.record_type), compile_condition(x.when, attrs)) for x in rule.exits))
    common = "SELECT rec.subject_id, :l AS l, :key AS k, ok, authority, record_id, "
    source = " FROM rec JOIN subjects AS s ON s.subject_id = rec.subject_id WHERE ok <= :d AND :kinds AND :present"
    kinds = in_list(col("kind", "s"), sorted(str(k) for k in rule.subject_kinds))
    args = {"l": index, "key": key, "d": dk.key_of(as_of), "kinds": kinds, "present": present}
    parts = [
        fill(
            common
            + "0 AS phase, :end AS dur_end, CAST(NULL AS BIGINT) AS years"
            + source
            + " AND type = :t AND :c",
            end=case(durations),
            t=rule.entry.record_type,
            c=compile_condition(rule.entry.when, attrs),
            **args,
        ),
    ]
    if years:
        ext = fill(
            common + "1 AS phase, CAST(NULL AS BIGINT) AS dur_end, :y AS years" + source + " AND :types",
            y=case(years),
            types=in_list(col("type"), sorted({x.record_type for x in rule.extensions})),
            **args,
        )
        parts.append(fill("SELECT * FROM (:e) AS ext WHERE years IS NOT NULL", e=ext))
    if rule.exits:
        parts.append(
            fill(
                common
                + "2 AS phase, CAST(NULL AS BIGINT) AS dur_end, CAST(NULL AS BIGINT) AS years"
                + source
                + " AND :x",
                x=exits,
                **args,
            )
        )
    union = parts[0]
    for p in parts[1:]:
        union = exp.union(union, p, distinct=False, copy=False)
    return union


def _end(end0: str, total: str, leap_ok: str) -> Expr:
    """``end0`` extended by ``total`` years one extension at a time (see the module docstring)."""
    return fill(
        "CASE WHEN :e IS NULL THEN NULL ELSE (:e DIV 10000 + :s) * 10000 + "
        "CASE WHEN :e % 10000 = 229 AND :ok = 0 THEN 228 ELSE :e % 10000 END END",
        e=col(end0),
        s=col(total),
        ok=col(leap_ok),
    )


def entries_table(scheme: Scheme, attrs: Attributes, backend: Backend, as_of: date) -> pa.Table:
    """Every entry of every list: subject_id, list_id, key, start, end, status (active/ended/expired)."""
    empty = ENTRIES.empty_table()
    if not scheme.lists:
        return empty
    union = _events(0, scheme.lists[0], attrs, as_of)
    for index, rule in enumerate(scheme.lists[1:], start=1):
        union = exp.union(union, _events(index, rule, attrs, as_of), distinct=False, copy=False)
    backend.table(
        "lev",
        fill(
            f"SELECT *, ROW_NUMBER() OVER (PARTITION BY {GROUP} ORDER BY ok, phase, authority, record_id) AS seq "
            "FROM (:u) AS u",
            u=union,
        ),
    )
    backend.table("lstate", fill(f"SELECT DISTINCT {GROUP}, 0 AS c, 0 AS min_ok FROM lev WHERE phase = 0"))
    step = 0
    while True:
        backend.table(
            "lopen",
            fill(
                f"SELECT {GROUP}, s, start, end0 FROM (SELECT e.subject_id, e.l, e.k, e.seq AS s, e.ok AS start, "
                f"e.dur_end AS end0, ROW_NUMBER() OVER (PARTITION BY e.subject_id, e.l, e.k ORDER BY e.seq) AS rn "
                "FROM lev AS e JOIN lstate AS t ON e.subject_id = t.subject_id AND e.l = t.l AND e.k = t.k "
                "WHERE e.phase = 0 AND e.seq > t.c AND e.ok >= t.min_ok) AS o WHERE rn = 1"
            ),
        )
        if backend.arrow(fill("SELECT COUNT(*) AS n FROM lopen")).column("n")[0].as_py() == 0:
            break
        after = fill(
            "SELECT o.subject_id, o.l, o.k, o.s, o.end0, e.seq, e.ok, e.phase, e.years FROM lopen AS o "
            "JOIN lev AS e ON e.subject_id = o.subject_id AND e.l = o.l AND e.k = o.k AND e.seq > o.s "
            "WHERE e.phase > 0"
        )
        w = f"PARTITION BY {GROUP} ORDER BY seq"
        sums = fill(
            f"SELECT *, COALESCE(CAST(SUM(years) OVER ({w} {AFTER}) AS BIGINT), 0) AS s_before, "
            f"COALESCE(CAST(SUM(years) OVER ({w} {SO_FAR}) AS BIGINT), 0) AS s_incl, "
            f"COALESCE(MAX(CASE WHEN phase = 2 THEN 1 ELSE 0 END) OVER ({w} {AFTER}), 0) AS exit_before "
            "FROM (:a) AS a",
            a=after,
        )
        leap = fill(
            "CASE WHEN phase <> 1 OR :leap THEN 1 ELSE 0 END", leap=dk.is_leap(fill("end0 DIV 10000 + s_incl"))
        )
        leaps = fill(
            f"SELECT *, :leap AS leap_incl, COALESCE(MIN(:leap) OVER ({w} {AFTER}), 1) AS leap_before "
            "FROM (:s) AS s",
            leap=leap,
            s=sums,
        )
        fails = fill(
            "SELECT *, CASE WHEN exit_before = 1 THEN 1 WHEN :e IS NOT NULL AND ok >= :e THEN 1 ELSE 0 END AS fail "
            "FROM (:x) AS x",
            e=_end("end0", "s_before", "leap_before"),
            x=leaps,
        )
        prefix = fill(
            f"SELECT * FROM (SELECT *, SUM(fail) OVER ({w} {SO_FAR}) AS fails FROM (:f) AS f) AS p "
            "WHERE fails = 0",
            f=fails,
        )
        agg = fill(
            f"SELECT {GROUP}, MAX(seq) AS last_seq, MIN(CASE WHEN phase = 2 THEN ok END) AS exit_ok, "
            "CAST(SUM(COALESCE(years, 0)) AS BIGINT) AS s_tot, MIN(leap_incl) AS leap_all "
            f"FROM (:p) AS p GROUP BY {GROUP}",
            p=prefix,
        )
        backend.table(
            f"lsess{step}",
            fill(
                "SELECT o.subject_id, o.l, o.k, o.start, COALESCE(a.last_seq, o.s) AS c, "
                "a.exit_ok IS NOT NULL AS ended, "
                "CASE WHEN a.exit_ok IS NOT NULL THEN a.exit_ok ELSE :end END AS end_key "
                "FROM lopen AS o LEFT JOIN (SELECT *, COALESCE(s_tot, 0) AS s_all, COALESCE(leap_all, 1) AS leap_ok "
                "FROM (:a) AS a0) AS a ON a.subject_id = o.subject_id AND a.l = o.l AND a.k = o.k",
                end=fill(":e", e=_end_joined()),
                a=agg,
            ),
        )
        backend.table(
            "lstate", fill(f"SELECT {GROUP}, c, end_key AS min_ok FROM lsess{step} WHERE end_key IS NOT NULL")
        )
        step += 1
    if step == 0:
        return empty
    sessions = fill(f"SELECT * FROM lsess{0}")
    for i in range(1, step):
        sessions = exp.union(sessions, fill(f"SELECT * FROM lsess{i}"), distinct=False, copy=False)
    d = dk.key_of(as_of)
    list_id = case([(fill("l = :i", i=i), lit(r.id)) for i, r in enumerate(scheme.lists)])
    keyed = in_list(col("l"), [i for i, r in enumerate(scheme.lists) if r.entry.key is not None])
    query = fill(
        "SELECT subject_id, :list_id AS list_id, CASE WHEN :keyed THEN k END AS key, start, end_key, "
        "CASE WHEN end_key IS NULL OR :d < end_key THEN 'active' WHEN ended THEN 'ended' ELSE 'expired' END AS status "
        "FROM (:s) AS s",
        list_id=list_id,
        keyed=keyed,
        d=d,
        s=sessions,
    )
    rows = backend.arrow(query).to_pylist()
    return pa.table(
        {
            "subject_id": pa.array([r["subject_id"] for r in rows], pa.string()),
            "list_id": pa.array([r["list_id"] for r in rows], pa.string()),
            "key": pa.array([r["key"] for r in rows], pa.string()),
            "start": pa.array([dk.day_of(r["start"]) for r in rows], pa.date32()),
            "end": pa.array(
                [dk.day_of(r["end_key"]) if r["end_key"] is not None else None for r in rows], pa.date32()
            ),
            "status": pa.array([r["status"] for r in rows], pa.string()),
        }
    ).sort_by([("subject_id", "ascending"), ("list_id", "ascending"), ("start", "ascending")])


def _end_joined() -> Expr:
    return fill(
        "CASE WHEN o.end0 IS NULL THEN NULL ELSE (o.end0 DIV 10000 + COALESCE(a.s_all, 0)) * 10000 + "
        "CASE WHEN o.end0 % 10000 = 229 AND COALESCE(a.leap_ok, 1) = 0 THEN 228 ELSE o.end0 % 10000 END END"
    )
