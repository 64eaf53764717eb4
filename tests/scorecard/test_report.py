"""The report on the German credit data: every file written, the same bytes twice, a page a screen reader can
use, stability against a second file and fairness by each protected column; a bad file to compare is refused."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from socialcredit.errors import InputError
from socialcredit.scorecard.fitting import FittedScorecard
from socialcredit.scorecard.german import german_frame
from socialcredit.scorecard.report import write_report
from socialcredit.scorecard.training import TrainingData, read_compared
from tests.scorecard.conftest import PROTECTED

FOLDS = [0.77, 0.79, 0.80, 0.76, 0.81]


class Page(HTMLParser):
    """What a structure check needs: images and their alt text, tables and their captions, h1s, the language."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.tables = self.captions = self.h1 = self.scoped = self.headers = 0
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.images += [found] if tag == "img" else []
        self.tables += tag == "table"
        self.captions += tag == "caption"
        self.h1 += tag == "h1"
        self.headers += tag == "th"
        self.scoped += tag == "th" and "scope" in found
        self.lang = found.get("lang") if tag == "html" else self.lang


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory, german_card: FittedScorecard):
    path = tmp_path_factory.mktemp("compare") / "later.csv"
    german_frame().iloc[:400].to_csv(path, index=False)
    columns = [v.name for v in german_card.variables]
    return read_compared(path, columns=columns, id_column="applicant", target="default")


def written(folder: Path, card: FittedScorecard, data: TrainingData, compared=None) -> dict:
    write_report(folder, card, data, cv_aucs=FOLDS, cutoff=600, compared=compared, title="German credit")
    return json.loads((folder / "metrics.json").read_text("utf-8"))


def test_the_report_writes_every_file_and_the_same_bytes_twice(tmp_path, german, german_card, compared):
    first = written(tmp_path / "a", german_card, german, compared)
    written(tmp_path / "b", german_card, german, compared)
    names = {p.name for p in (tmp_path / "a").iterdir()}
    bins = {f"bins-{k:02d}.png" for k in range(1, len(german_card.variables) + 1)}
    assert names == {"index.html", "metrics.json", "scores.png", "calibration.png", *bins}
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert first["cross_validation"]["mean"] == pytest.approx(0.786) and len(first["cross_validation"]["folds"]) == 5
    assert 0.78 < first["training"]["auc"] < 0.9 and first["training"]["gini"] == pytest.approx(
        2 * first["training"]["auc"] - 1, abs=1e-5
    )
    assert [v["name"] for v in first["variables"]] == [v.name for v in german_card.variables]
    assert sum(c["count"] for c in first["calibration"]) == 1000


def test_stability_and_fairness_are_reported(tmp_path, german, german_card, compared):
    report = written(tmp_path, german_card, german, compared)
    assert report["stability"]["level"] == "stable" and report["stability"]["psi"] < 0.1
    assert report["compared"]["rows"] == 400 and report["compared"]["auc"] > 0.75
    assert [f["column"] for f in report["fairness"]] == PROTECTED
    for f in report["fairness"]:
        assert sum(g["count"] for g in f["groups"]) == 1000
        assert 0 < f["demographic_parity_ratio"] <= 1
    without = written(tmp_path / "alone", german_card, german)
    assert without["stability"] is None
    assert "No comparison file was given" in (tmp_path / "alone" / "index.html").read_text("utf-8")


def test_the_page_is_one_document_with_alt_text_captions_and_scoped_headers(tmp_path, german, german_card, compared):
    written(tmp_path, german_card, german, compared)
    page = Page()
    page.feed((tmp_path / "index.html").read_text("utf-8"))
    assert page.lang == "en" and page.h1 == 1
    assert page.images and all((img.get("alt") or "").strip() for img in page.images)
    assert all((img.get("src") or "").endswith(".png") and "//" not in (img.get("src") or "") for img in page.images)
    assert page.tables == page.captions > len(german_card.variables)
    assert page.headers == page.scoped


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda f: f.drop(columns=["checking_account"]), "field 'checking_account': the scorecard reads this column"),
        (lambda f: f.assign(default=f["default"].where(f.index != 3, 7)), "the target must be 0 or 1"),
        (lambda f: f.iloc[:0], "no rows to compare"),
    ],
)
def test_a_bad_file_to_compare_is_refused_with_the_reason(tmp_path, german_card, change, says):
    path = tmp_path / "bad.csv"
    change(german_frame()).to_csv(path, index=False)
    with pytest.raises(InputError) as caught:
        read_compared(path, columns=[v.name for v in german_card.variables], id_column="applicant", target="default")
    assert says in str(caught.value)
