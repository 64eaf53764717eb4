"""Record files an authority uploads through the portal, kept between the preview and the commit.

A clerk uploads a file, sees the row-level report of exactly the checks the commit makes (or, when the file is
clean, what it would write: :meth:`~socialcredit.service.submissions.Submissions.preview_files`), and commits it
with a second request. Between the two the file is kept server-side, under
``<data_dir>/uploads/<id>/``: the bytes as uploaded and a small JSON note of who uploaded it, under which name
and label, its size and SHA-256. The id is random and bound to the party: another party naming it is refused as
if it did not exist (logged). The commit checks the bytes still have their SHA-256, so what is committed is what
was previewed. After its commit the file is removed and what was written kept as a receipt, for the page that
shows it. A kept file or receipt is removed when its uploader discards it, or after :data:`KEEP_HOURS` (swept
whenever a file is kept).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePath
from typing import Any

from socialcredit.errors import ConflictError, InputError, NotFound, Problem
from socialcredit.records import Record
from socialcredit.service.access import Guard
from socialcredit.service.context import Context
from socialcredit.service.parties import Party, Role
from socialcredit.service.submissions import Submissions

SUFFIXES = (".csv", ".jsonl", ".ndjson")
"""The record files ``socialcredit ingest`` reads."""
KEEP_HOURS = 24
"""How long an uploaded file waits for its commit."""
MAX_NAME = 200
"""The most characters of a file name or a source label."""
RECEIPT = "receipt.json"
COMMITTING = "committing"
_ID = re.compile(r"^UP-[0-9A-F]{32}$")


@dataclass(frozen=True, slots=True)
class Upload:
    """A kept file: where it is and what its uploader said about it."""

    upload_id: str
    party: str
    name: str
    label: str
    size: int
    sha256: str
    kept_at: datetime
    path: Path

    def as_dict(self) -> dict[str, Any]:
        """What a page shows of it (not the server path)."""
        return {
            "upload_id": self.upload_id,
            "name": self.name,
            "label": self.label,
            "size": self.size,
            "sha256": self.sha256,
            "kept_at": self.kept_at.isoformat(),
        }


def clean_text(value: str, field: str, *, required: bool = True) -> str:
    """A name or label as given, checked: at most :data:`MAX_NAME` characters, no control character, valid
    Unicode (no lone surrogate); InputError names the field."""
    text = value.strip()
    problem = None
    if required and not text:
        problem = "required"
    elif len(text) > MAX_NAME:
        problem = f"at most {MAX_NAME} characters"
    elif any(ord(c) < 32 or ord(c) == 127 for c in text):
        problem = "no control characters"
    else:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            problem = "invalid text: not valid Unicode (a lone surrogate is not a character)"
    if problem:
        shown = text[:MAX_NAME].encode("utf-8", "replace").decode("utf-8")
        raise InputError([Problem(problem, field, shown)])
    return text


class Uploads:
    """Kept uploads of record files, their preview and their commit."""

    def __init__(self, context: Context, guard: Guard, submissions: Submissions) -> None:
        self.context = context
        self.guard = guard
        self.submissions = submissions

    @property
    def folder(self) -> Path:
        """Where uploads are kept."""
        return Path(self.context.settings.data_dir) / "uploads"

    def keep(self, party: Party, name: str, data: bytes, *, label: str = "") -> Upload:
        """Keep an uploaded record file of ``party`` (an authority) for its preview and commit.

        The name must end in .csv, .jsonl or .ndjson (that is how the reader knows the format); the file may be
        as large as a request may be. The label (default: the file's name) is the batch's source."""
        self.guard.require(party, "records.upload", Role.AUTHORITY)
        name = PurePath(clean_text(name, "file").replace("\\", "/")).name
        label = clean_text(label, "source", required=False) or name
        suffix = PurePath(name).suffix.lower()
        if suffix not in SUFFIXES:
            raise InputError([Problem(f"a record file ends in {', '.join(SUFFIXES)}", "file", name)])
        limit = self.context.settings.max_request_bytes
        if len(data) > limit:
            raise InputError([Problem(f"a record file here is at most {limit} bytes", "file", str(len(data)))])
        if not data:
            raise InputError([Problem("the file is empty", "file", name)])
        self.sweep()
        upload_id = self.context.references.new("UP", 16)
        where = self.folder / upload_id
        where.mkdir(parents=True)
        path = where / f"records{suffix}"
        path.write_bytes(data)
        upload = Upload(
            upload_id, party.code, name, label, len(data), hashlib.sha256(data).hexdigest(), self.context.now(), path
        )
        note = {k: v for k, v in upload.as_dict().items()} | {"party": party.code, "file": path.name}
        (where / "upload.json").write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
        return upload

    def get(self, party: Party, upload_id: str) -> Upload:
        """The party's kept upload; another party's, or none, is NotFound (logged as a refusal)."""
        self.guard.require(party, "records.upload", Role.AUTHORITY)
        upload = self._load(upload_id)
        if upload is None or upload.party != party.code:
            self.guard.log_refusal(party, "records.upload", f"upload {upload_id[:40]!r}: not this party's")
            raise NotFound("no such upload: it was committed, discarded or expired, or it is not yours")
        if (self.folder / upload_id / RECEIPT).exists():
            raise ConflictError(f"the file {upload.name!r} was committed already; upload it again to check it again")
        try:
            digest = hashlib.sha256(upload.path.read_bytes()).hexdigest()
        except OSError:
            raise NotFound("no such upload: it was committed, discarded or expired") from None
        if digest != upload.sha256:
            raise ConflictError(f"the kept file {upload.name!r} changed since it was uploaded; upload it again")
        return upload

    def preview(self, party: Party, upload_id: str) -> dict[str, Any]:
        """The report of the checks a commit makes, without writing: InputError with every problem, or what it
        would write (:meth:`Submissions.preview_files`) with the upload."""
        upload = self.get(party, upload_id)
        with _named(upload):
            out = self.submissions.preview_files(party, [upload.path], sources=[upload.label])
        return {**out, "upload": upload.as_dict()}

    def commit(self, party: Party, upload_id: str) -> dict[str, Any]:
        """Write the kept file all or nothing (as ``socialcredit ingest`` does); the file is then removed and
        what was written kept as the upload's receipt (:meth:`receipt`), so a page can show it after a redirect."""
        upload = self.get(party, upload_id)
        claim = self.folder / upload_id / COMMITTING
        try:
            # One commit at a time per upload: a second click while the first writes would find every record
            # stored and overwrite the receipt with "nothing new".
            claim.touch(exist_ok=False)
        except FileExistsError:
            raise ConflictError(f"the file {upload.name!r} is being committed already") from None
        try:
            with _named(upload):
                written = self.submissions.submit_files(party, [upload.path], sources=[upload.label])
            out = {**written, "upload": upload.as_dict()}
            self._write_receipt(upload_id, out)
            upload.path.unlink(missing_ok=True)
        finally:
            claim.unlink(missing_ok=True)
        return out

    def submit_one(self, party: Party, record: Record, *, source: str) -> dict[str, Any]:
        """One record from a form (a list entry issued or ended): the API's batch path, its answer kept as a
        receipt under a new id (the answer's ``receipt``)."""
        out = self.submissions.submit(party, [record], source=source)
        receipt_id = self.context.references.new("UP", 16)
        (self.folder / receipt_id).mkdir(parents=True)
        note = {
            "upload_id": receipt_id,
            "party": party.code,
            "name": source,
            "label": source,
            "size": 0,
            "sha256": "",
            "kept_at": self.context.now().isoformat(),
            "file": "none",
        }
        (self.folder / receipt_id / "upload.json").write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")
        out = {**out, "receipt": receipt_id, "record_id": record.record_id}
        self._write_receipt(receipt_id, out)
        return out

    def receipt(self, party: Party, upload_id: str) -> dict[str, Any]:
        """What a commit (or a form's record) wrote, for the party that wrote it; NotFound (logged) otherwise."""
        self.guard.require(party, "records.upload", Role.AUTHORITY)
        upload = self._load(upload_id)
        path = self.folder / upload_id / RECEIPT
        if upload is None or upload.party != party.code or not path.is_file():
            self.guard.log_refusal(party, "records.upload", f"receipt {upload_id[:40]!r}: not this party's")
            raise NotFound("no such receipt: it expired, or it is not yours")
        return json.loads(path.read_text(encoding="utf-8"))

    def _write_receipt(self, upload_id: str, out: dict[str, Any]) -> None:
        path = self.folder / upload_id / RECEIPT
        path.write_text(json.dumps(out, ensure_ascii=False, default=str), encoding="utf-8")

    def discard(self, party: Party, upload_id: str) -> None:
        """Remove the party's kept upload."""
        self.get(party, upload_id)
        self._remove(upload_id)

    def sweep(self) -> int:
        """Remove uploads kept longer than :data:`KEEP_HOURS`; how many were removed."""
        if not self.folder.is_dir():
            return 0
        cutoff = self.context.now() - timedelta(hours=KEEP_HOURS)
        removed = 0
        for where in self.folder.iterdir():
            upload = self._load(where.name)
            # A folder without its note yet may be an upload being kept this moment: judged by its age instead.
            kept_at = upload.kept_at if upload is not None else _modified(where)
            if kept_at < cutoff:
                shutil.rmtree(where, ignore_errors=True)
                removed += 1
        return removed

    def _load(self, upload_id: str) -> Upload | None:
        if not _ID.fullmatch(upload_id):
            return None
        where = self.folder / upload_id
        try:
            note = json.loads((where / "upload.json").read_text(encoding="utf-8"))
            return Upload(
                upload_id=upload_id,
                party=note["party"],
                name=note["name"],
                label=note["label"],
                size=int(note["size"]),
                sha256=note["sha256"],
                kept_at=datetime.fromisoformat(note["kept_at"]),
                path=where / PurePath(note["file"]).name,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _remove(self, upload_id: str) -> None:
        if _ID.fullmatch(upload_id):
            shutil.rmtree(self.folder / upload_id, ignore_errors=True)


def _modified(path: Path) -> datetime:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    except OSError:
        return datetime.fromtimestamp(0, tz=UTC)


@contextmanager
def _named(upload: Upload) -> Iterator[None]:
    """Problems name the file as its sender named it (the batch's source is the label)."""
    try:
        yield
    except InputError as exc:
        if upload.label == upload.name:
            raise
        named = [dataclasses.replace(p, file=upload.name) if p.file == upload.label else p for p in exc.problems]
        raise type(exc)(named) from None
