"""Saving and loading the decision index: one ``.npy`` file per array and ``index.json`` in a folder.

Every array of the layout and the link table is saved as it is; a load memory-maps them (read-only, shared
between the processes that open the same folder), which the layout allows because it is never written in
place. ``index.json`` holds the profile table, the owner texts of hashed keys and the formats: an index of
another array format (:data:`FORMAT`) or key format (:data:`socialcredit.index.keys.KEY_FORMAT`) is refused,
to be rebuilt.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from socialcredit.index import keys as K
from socialcredit.index.building import Built
from socialcredit.index.layout import Layout
from socialcredit.index.links import COLUMNS, LinkTable
from socialcredit.index.profiles import ProfileTable
from socialcredit.index.rows import EPOCH
from socialcredit.index.subjects import SubjectKeys

FORMAT = 3
"""Bumped whenever the saved arrays change meaning (3: the directory's high bits hold a filter)."""


def save(folder: Path | str, profiles: ProfileTable, layout: Layout, links: LinkTable, subjects: SubjectKeys) -> Path:
    """Write the arrays as ``.npy`` files and ``index.json`` into ``folder`` (made if missing)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"h": layout.h, "rows": layout.table, "dir": layout.directory}
    if layout.ref_offsets is not None and layout.ref_blob is not None:
        arrays |= {"ref_offsets": layout.ref_offsets, "ref_blob": layout.ref_blob}
    arrays |= {f"link_{name}": a for name, a in links.arrays().items()}
    for name, a in arrays.items():
        np.save(folder / f"{name}.npy", np.ascontiguousarray(a))
    meta = {
        "format": FORMAT,
        "key_format": K.KEY_FORMAT,
        "epoch": EPOCH.isoformat(),
        "rows": len(layout),
        "steps": layout.steps,
        "profiles": profiles.to_json(),
        "owners": [[k, t] for k, t in sorted(subjects.owners.items())],
    }
    (folder / "index.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


def load(folder: Path | str, *, mmap: bool = True) -> Built:
    """Open a saved index; with ``mmap`` the arrays are memory-mapped, not read. Raises ValueError for an
    index of another format."""
    folder = Path(folder)
    meta = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT or meta.get("key_format") != K.KEY_FORMAT:
        raise ValueError(
            f"{folder}: index format {meta.get('format')}/{meta.get('key_format')} is not "
            f"{FORMAT}/{K.KEY_FORMAT}; rebuild it"
        )
    mode = "r" if mmap else None

    def arr(name: str) -> np.ndarray | None:
        path = folder / f"{name}.npy"
        return np.load(path, mmap_mode=mode) if path.exists() else None

    layout = Layout(
        arr("h"),  # type: ignore[arg-type]
        arr("rows"),  # type: ignore[arg-type]
        arr("ref_offsets"),
        arr("ref_blob"),
        arr("dir"),
        meta["steps"],
    )
    links = LinkTable(*(arr(f"link_{name}") for name in COLUMNS))  # type: ignore[arg-type]
    owners = SubjectKeys({int(k): t for k, t in meta["owners"]})
    return Built(ProfileTable.from_json(meta["profiles"]), layout, links, owners)
