"""``socialcredit serve --scheme``: a scheme is put into operation only if its rights audit finds no error; one
that does is refused before anything starts, its reasons printed with file, line and field, and the exit code is
not zero. The server itself is never started here: ``uvicorn.run`` is replaced by a recorder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn

from socialcredit.api import create_app
from socialcredit.cli.main import main
from socialcredit.errors import SchemeError
from socialcredit.settings import Settings
from tests.service.scheme_texts import UNLISTED_ACTION, UNLISTED_TYPE, scheme, scheme_text


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The apps ``serve`` would have run."""
    apps: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **_kw: apps.append(app))
    return apps


def serve(capsys: pytest.CaptureFixture[str], data: Path, *schemes: str) -> tuple[int, str, str]:
    args = ["--data-dir", str(data), "serve"]
    for s in schemes:
        args += ["--scheme", s]
    try:
        main(args)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_serving_a_scheme_with_a_record_type_outside_the_catalogue_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[Any]
) -> None:
    bad = tmp_path / "visits.yaml"
    text = scheme_text(name="visits", record_type=UNLISTED_TYPE)
    bad.write_text(text, encoding="utf-8")
    line = text.splitlines().index(f"      record_type: {UNLISTED_TYPE}") + 1
    code, out, err = serve(capsys, tmp_path / "var", str(bad))
    assert code == 1 and served == []
    assert "Traceback" not in err and "socialcredit service on" not in out
    text = " ".join(err.split())  # the console wraps long lines
    assert f"{bad}, line {line}, field 'score.rules[0].record_type'" in text
    assert f"record type '{UNLISTED_TYPE}' is not in the catalogue of record types" in text
    assert not (tmp_path / "var" / "socialcredit.db").exists()  # refused before the store was opened


def test_serving_a_scheme_with_an_action_off_the_list_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[Any]
) -> None:
    bad = tmp_path / "tones.yaml"
    bad.write_text(scheme_text(name="tones", action=UNLISTED_ACTION), encoding="utf-8")
    code, _out, err = serve(capsys, tmp_path / "var", "judgment-debtors", str(bad))
    text = " ".join(err.split())
    assert code == 1 and served == [] and "Traceback" not in err
    assert "field 'measures[0].actions[0]'" in text and f"action '{UNLISTED_ACTION}' is not on the list" in text


def test_a_lab_scheme_is_never_served(tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[Any]) -> None:
    lab = tmp_path / "lab.yaml"
    lab.write_text(scheme_text(name="lab-city", purpose="lab", record_type=UNLISTED_TYPE), encoding="utf-8")
    code, _out, err = serve(capsys, tmp_path / "var", str(lab))
    assert code == 1 and served == []
    assert "field 'purpose'" in err and "never put into operation" in " ".join(err.split())


def test_the_schemes_named_are_the_ones_served_with_their_audits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], served: list[Any]
) -> None:
    good = tmp_path / "city.yaml"
    good.write_text(scheme_text(), encoding="utf-8")
    code, out, err = serve(capsys, tmp_path / "var", "judgment-debtors", str(good))
    assert code == 0, err
    (app,) = served
    try:
        assert app.state.platform.scheme_names() == ["judgment-debtors", "city"]
        assert set(app.state.platform.context.audits) == {"judgment-debtors@2017.1", "city@1"}
    finally:
        app.state.platform.store.close()
    text = " ".join(out.split())
    assert "scheme judgment-debtors@2017.1: rights audit passed with 3 warnings" in text
    assert "/v1/schemes/city/audit" in text


def test_the_app_refuses_a_scheme_given_in_code(tmp_path: Path) -> None:
    with pytest.raises(SchemeError) as info:
        create_app(Settings(data_dir=tmp_path), schemes=[scheme(record_type=UNLISTED_TYPE)])
    assert [p.field for p in info.value.problems] == ["score.rules[0].record_type"]
