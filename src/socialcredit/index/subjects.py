"""The subjects a decision index can name: a key for every identifier, and the text of every hashed one.

Packed keys (see :mod:`socialcredit.index.keys`) are the identifier itself and need nothing kept. A hashed
key is not trusted alone: the index keeps the exact text of every hashed subject it holds, a lookup by text
verifies it, and probes the next salt when another text owns the key, so two texts never share an answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from socialcredit.index import keys as K


class SubjectKeys:
    """Keys of subjects, with the owner text of each hashed key the index holds."""

    def __init__(self, owners: dict[int, str] | None = None) -> None:
        self.owners: dict[int, str] = dict(owners or {})
        """Hashed key -> the subject text it stands for (saved with the index)."""

    def copy(self) -> SubjectKeys:
        """An independent copy (a snapshot's: keys added to either are not seen by the other)."""
        return SubjectKeys(self.owners)

    def key(self, subject_id: str, *, add: bool = False) -> int | None:
        """The key of a subject: packed, or hashed and verified against the exact text (None if absent and
        not ``add``; with ``add`` an absent hashed subject is given its key)."""
        packed = K.pack(subject_id)
        if packed is not None:
            return packed
        probe = 0
        while True:
            k = K.hash_key(subject_id, probe)
            owner = self.owners.get(k)
            if owner is None:
                if not add:
                    return None
                self.owners[k] = subject_id
                return k
            if owner == subject_id:
                return k
            probe += 1

    def text(self, key: int) -> str:
        """The subject text of a key the index holds."""
        text = K.unpack(key)
        return text if text is not None else self.owners[key]

    def keys_of(self, subject_ids: Sequence[str] | np.ndarray, *, add: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Keys of many subjects and a mask of those the index could hold (packed, or hashed and known).

        18-character texts of digits are packed vectorised; anything else one by one.
        """
        ids = np.asarray(subject_ids)
        if ids.dtype.kind == "U":
            ids = np.char.encode(ids, "utf-8") if ids.size else ids.astype("S18")
        out = np.zeros(len(ids), dtype=np.uint64)
        ok = np.zeros(len(ids), dtype=bool)
        if ids.dtype.kind == "S" and ids.dtype.itemsize == 18 and len(ids):
            out, ok = K.pack_digit_ids(ids)
        for i in np.flatnonzero(~ok):
            text = ids[i].decode() if isinstance(ids[i], bytes | np.bytes_) else str(ids[i])
            k = self.key(text, add=add)
            if k is not None:
                out[i], ok[i] = k, True
        return out, ok
