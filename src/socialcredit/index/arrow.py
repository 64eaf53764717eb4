"""Building the decision index from Arrow tables (a batch engine's Parquet output; see
:mod:`socialcredit.index.tables`), vectorised for the entries: subject keys, days and references are computed
column-wise.

Rows reached over a link are materialised in Python for the holders that have both entries and link change
points (organizations on a list), which is a small share at national scale. pyarrow (the batch extra) is
imported only when a build runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from socialcredit.engine.population import subject_kind
from socialcredit.index import keys as K
from socialcredit.index.building import Built
from socialcredit.index.layout import Layout, gather_refs, stack_rows, with_rows
from socialcredit.index.links import NO_TARGET, LinkRow, LinkTable, reach
from socialcredit.index.profiles import ProfileTable
from socialcredit.index.rows import OPEN, Row, clamp_start
from socialcredit.index.subjects import SubjectKeys
from socialcredit.scheme.model import Scheme

LinkPoints = dict[tuple[str, int], list[tuple[int, str | None]]]
"""(holder, link number) -> change points (day number, target or None), the last of a day."""


@dataclass(frozen=True)
class _Entries:
    """The entry table's columns as numpy arrays, one value per entry (kept or not)."""

    ids: np.ndarray
    keys: np.ndarray
    profile: np.ndarray
    start: np.ndarray
    end: np.ndarray
    keep: np.ndarray
    """Entries of a non-empty interval: the others make no row."""


def from_arrow(scheme: Scheme, entries: object, links: object | None = None) -> Built:
    """Build from an entry table and, optionally, a link table (Arrow tables or record batches)."""
    import pyarrow as pa

    table = ProfileTable.of(scheme)
    subjects = SubjectKeys()
    ent = entries.combine_chunks() if isinstance(entries, pa.Table) else entries  # type: ignore[attr-defined]
    columns = _columns(table, subjects, ent)
    keep = columns.keep
    offsets, blob = _references(ent, keep)
    h = K.mix_array(columns.keys[keep])
    rows = stack_rows(columns.start[keep], columns.end[keep], columns.profile[keep])
    link_rows: list[LinkRow] = []
    if links is not None:
        lk = links.combine_chunks() if isinstance(links, pa.Table) else links  # type: ignore[attr-defined]
        points = _link_points(table, lk)
        extra, link_rows = _linked(table, subjects, points, columns, ent.column("entry_key").to_pylist())
        if extra:
            h, rows, offsets, blob = with_rows(h, rows, offsets, blob, extra)  # type: ignore[assignment]
    return Built(table, Layout.of(h, rows, offsets, blob), LinkTable.of(link_rows), subjects)


def _columns(table: ProfileTable, subjects: SubjectKeys, ent: object) -> _Entries:
    """Keys (given to ``subjects``), profile ids and day numbers of every entry; raises KeyError naming the
    first entry of a list the scheme does not have for its kind of subject."""
    import pyarrow as pa
    import pyarrow.compute as pc

    ids = id_column(ent.column("subject_id"))  # type: ignore[attr-defined]
    keys, _ = subjects.keys_of(ids, add=True)
    kind = ((keys >= np.uint64(K.USCC_BASE)) & (keys < np.uint64(K.USCC_END))).astype(np.intp)
    for i in np.flatnonzero(keys >= np.uint64(K.HASH_BASE)):
        kind[i] = 1 if subject_kind(_text_of(ids[i])) == "organization" else 0
    encoded = pc.dictionary_encode(ent.column("list_id")).combine_chunks()  # type: ignore[attr-defined]
    lists = encoded.dictionary.to_pylist()
    list_index = encoded.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    pids = np.array(
        [[_profile_or_missing(table, str(x), kind_name) for kind_name in ("person", "organization")] for x in lists],
        dtype=np.int64,
    ).reshape(-1, 2)
    profile = pids[list_index, kind] if len(lists) else np.zeros(0, np.int64)
    if (profile < 0).any():
        bad = int(np.flatnonzero(profile < 0)[0])
        raise KeyError(f"row {bad + 1}: no list {lists[list_index[bad]]!r} for {ids[bad]} in {table.scheme_label}")
    column = ent.column  # type: ignore[attr-defined]
    start = np.clip(pc.fill_null(column("start").cast(pa.int32()), 0).to_numpy(), 0, OPEN)
    end = np.clip(pc.fill_null(column("end").cast(pa.int32()), OPEN).to_numpy(), 0, OPEN)
    return _Entries(ids, keys, profile, start, end, start < end)


def _references(ent: object, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The references of the kept entries, as :func:`~socialcredit.index.rows.ref_bytes` writes those of own
    entries (no via subject): joined column-wise, read from Arrow's buffers in place, then gathered."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = pc.fill_null(ent.column("entry_key").cast(pa.string()), "\x00")  # type: ignore[attr-defined]
    refs = pc.binary_join_element_wise(keys, "", "\x1f")
    refs = refs.combine_chunks() if isinstance(refs, pa.ChunkedArray) else refs
    offsets = np.frombuffer(refs.buffers()[1], dtype=np.int32)[refs.offset : refs.offset + len(refs) + 1]
    blob = np.frombuffer(refs.buffers()[2], dtype=np.uint8)
    return gather_refs(offsets.astype(np.uint64), blob, np.flatnonzero(keep))


def _link_points(table: ProfileTable, lk: object) -> LinkPoints:
    """Change points of the scheme's links in a link table (others are ignored), the last of a day."""
    points: LinkPoints = {}
    names = ("holder_id", "link_id", "day", "target_id")
    for holder, link_id, day, target in zip(*(lk.column(c).to_pylist() for c in names), strict=True):  # type: ignore[attr-defined]
        if link_id not in table.links:
            continue
        pts = points.setdefault((holder, table.links.index(link_id)), [])
        n = clamp_start(day)
        if pts and pts[-1][0] == n:
            pts.pop()
        pts.append((n, target))
    return points


def _linked(
    table: ProfileTable, subjects: SubjectKeys, points: LinkPoints, columns: _Entries, entry_keys: list[object]
) -> tuple[list[tuple[int, Row]], list[LinkRow]]:
    """The rows the holders' entries put on the subjects their links name (subject key, row), and the link
    table's rows. Only holders' entries are read row by row."""
    holder_keys = np.unique(np.array([subjects.key(hd, add=True) for hd, _ in points], dtype=np.uint64))
    mine = np.flatnonzero(columns.keep & np.isin(columns.keys, holder_keys))
    own_of: dict[str, list[Row]] = {}
    for i in mine:
        row = Row(int(columns.start[i]), int(columns.end[i]), int(columns.profile[i]), entry_keys[i])  # type: ignore[arg-type]
        own_of.setdefault(_text_of(columns.ids[i]), []).append(row)
    extra: list[tuple[int, Row]] = []
    link_rows: list[LinkRow] = []
    for (holder, number), pts in points.items():
        for target, row in reach(table, subjects, holder, own_of.get(holder, []), number, pts):
            extra.append((subjects.key(target, add=True), row))  # type: ignore[arg-type]
        key = subjects.key(holder, add=True)
        link_rows += [
            (key, number, day, NO_TARGET if t is None else np.uint64(subjects.key(t, add=True)))  # type: ignore[misc]
            for day, t in pts
        ]
    return extra, link_rows


def id_column(column: object) -> np.ndarray:
    """Identifier texts of an Arrow string column: zero-copy ``S18`` when every value has 18 ASCII bytes
    (resident IDs, USCCs, 2023 cards), else an object array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column  # type: ignore[attr-defined]
    arr = arr.cast(pa.string())
    n = len(arr)
    if n and arr.null_count == 0:
        lengths = pc.binary_length(arr)
        if pc.min(lengths).as_py() == 18 == pc.max(lengths).as_py() and pc.all(pc.string_is_ascii(arr)).as_py():
            first = int(np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset])
            return np.frombuffer(arr.buffers()[2], dtype="S18", count=n, offset=first)
    return np.array(arr.to_pylist(), dtype=object)


def _text_of(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _profile_or_missing(table: ProfileTable, list_id: str, kind: str) -> int:
    try:
        return table.profile_id(list_id, kind)
    except KeyError:
        return -1
