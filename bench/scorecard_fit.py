"""Fitting a scorecard and writing its report on 100,000 applicants × 20 columns, against optbinning's own fit.

    .venv/bin/python bench/scorecard_fit.py                  # 100,000 rows, 18 features + 2 protected columns
    .venv/bin/python bench/scorecard_fit.py --rows 20000

The data are synthetic and seeded: a latent risk per applicant drives the outcome (1 = default, about 30 %) and
every feature (numbers with noise, text categories cut from a noisy copy of it, a few values missing). The columns
are the catalogue's ``finance.application`` attributes, so the real path runs: read and check the CSV against the
catalogue, fit, 5-fold cross-validation, export and audit the scheme, write the report; first in this process,
each stage timed, then as ``socialcredit scorecard fit --report`` in its own process, timed whole (imports and
all). The baseline, in the same run: optbinning's ``Scorecard.fit`` with the same options on the same frame, bare
(no checks, no cross-validation, no export, no report). The target: the whole thing under a minute.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

# name: (centre, spread, least, most, decimals): plausible values within the catalogue's bounds
NUMBERS = {
    "duration_months": (24, 12, 4, 72, 0), "amount": (3500, 2500, 250, 20000, 0),
    "installment_rate": (3, 1, 1, 4, 0), "residence_since": (3, 1.2, 1, 4, 0),
    "existing_credits": (1.4, 0.6, 1, 4, 0), "dependants": (1.2, 0.8, 0, 6, 0), "income": (2800, 1200, 300, 15000, 2),
}  # fmt: skip
FEATURES_TEXT = ("checking_account", "credit_history", "purpose", "savings", "employed_since", "other_debtors",
                 "property", "other_installment_plans", "housing", "job", "telephone")  # fmt: skip
PROTECTED = ("sex", "age")
MISSING = 0.03
"""The share of missing values in each numeric column and in a few text columns."""


def synthetic(rows: int, seed: int = 7) -> pd.DataFrame:
    """``rows`` applicants: an ``applicant`` id, 18 features, 2 protected columns and a 0/1 ``default``.

    A latent risk per applicant drives the outcome and, with noise of its own and a weight that differs per
    column, every feature: numbers scaled into their bounds, text as five categories cut from a noisy copy."""
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=rows)
    out: dict[str, object] = {"applicant": [f"A{i:07d}" for i in range(rows)]}
    for k, (name, (centre, spread, least, most, places)) in enumerate(NUMBERS.items()):
        sign = 1 if k % 2 else -1
        value = centre + spread * (sign * (0.2 + 0.08 * k) * risk + rng.normal(size=rows))
        column = pd.array(np.round(np.clip(value, least, most), places), dtype="Float64")
        column[rng.random(rows) < MISSING] = pd.NA
        out[name] = column
    for k, name in enumerate(FEATURES_TEXT):
        noisy = (0.15 + 0.05 * k) * risk + rng.normal(size=rows)
        labels = np.array([f"{name}_{c}" for c in "ABCDE"], dtype=object)
        column = labels[np.searchsorted(np.quantile(noisy, [0.2, 0.45, 0.7, 0.9]), noisy)]
        if k % 4 == 0:
            column[rng.random(rows) < MISSING] = None
        out[name] = column
    out["sex"] = rng.choice(["female", "male"], size=rows)
    out["age"] = rng.integers(18, 75, size=rows)
    out["default"] = (rng.random(rows) < 1 / (1 + np.exp(-(-1.1 + 0.9 * risk)))).astype(int)
    return pd.DataFrame(out)


SCALE = (350, 950)
BANDS = "Approve:650,Refer:600,Decline"
BASIS = "Benchmark model documentation"


def bare_fit(frame: pd.DataFrame) -> float:
    """optbinning's ``Scorecard.fit`` alone, with the options ``scorecard fit`` passes it; seconds."""
    from optbinning import BinningProcess, Scorecard
    from sklearn.linear_model import LogisticRegression

    features = frame.drop(columns=["applicant", "default", *PROTECTED])
    categorical = list(FEATURES_TEXT)
    features = features.assign(**{c: features[c].astype(float) for c in NUMBERS})
    start = time.perf_counter()
    process = BinningProcess(
        list(features.columns),
        categorical_variables=categorical,
        min_bin_size=0.05,
        selection_criteria={"iv": {"min": 0.02}},
        binning_fit_params={c: {"monotonic_trend": "auto_asc_desc"} for c in NUMBERS},
    )
    model = Scorecard(
        binning_process=process,
        estimator=LogisticRegression(max_iter=1000),
        scaling_method="min_max",
        scaling_method_params={"min": SCALE[0], "max": SCALE[1]},
        rounding=True,
    )
    model.fit(features, frame["default"].to_numpy())
    return time.perf_counter() - start


def stages(data: Path, out: Path) -> dict[str, float]:
    """The library path of ``scorecard fit --report`` in this process, each stage timed (seconds)."""
    from datetime import date

    from socialcredit.catalogue.loading import shipped_catalogue
    from socialcredit.cli.scorecard_commands import default_cutoff, parse_bands
    from socialcredit.scheme.loader import load_scheme_text
    from socialcredit.scorecard.export import scheme_document, scheme_yaml
    from socialcredit.scorecard.fitting import FitOptions, cross_validated_auc, fit
    from socialcredit.scorecard.report import write_report
    from socialcredit.scorecard.training import Declared, read_training

    catalogue = shipped_catalogue()
    entry = catalogue.entry("finance.application")
    assert entry is not None
    declared = Declared("finance.application", catalogue.version, frozenset(entry.attributes))
    options = FitOptions(score_range=SCALE)
    grades = parse_bands(BANDS)
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    training = read_training(data, target="default", id_column="applicant", protected=PROTECTED, declared=declared)
    seconds["read and check the CSV"] = time.perf_counter() - start
    start = time.perf_counter()
    card = fit(training, options)
    seconds["fit"] = time.perf_counter() - start
    start = time.perf_counter()
    aucs = cross_validated_auc(training, options)
    seconds["5-fold cross-validated AUC"] = time.perf_counter() - start
    start = time.perf_counter()
    document = scheme_document(card, name="bench-scorecard", version="1", title="Bench scorecard",
                               legal_basis=BASIS, effective_from=date(2026, 1, 1), bands=grades)  # fmt: skip
    load_scheme_text(scheme_yaml(document), source="bench")  # loaded and audited, as the command does
    seconds["export and audit the scheme"] = time.perf_counter() - start
    start = time.perf_counter()
    write_report(out, card, training, cv_aucs=aucs, cutoff=default_cutoff(grades, options), title="Bench scorecard")
    seconds["the report"] = time.perf_counter() - start
    print(f"  {len(card.variables)} variables used, {len(card.not_used)} left out; cross-validated AUC "
          f"{sum(aucs) / len(aucs):.3f}")  # fmt: skip
    return seconds


def whole_command(data: Path, folder: Path) -> tuple[float, str]:
    """``socialcredit scorecard fit --report`` as a user runs it, in its own process; seconds and its AUC line."""
    command = [
        str(Path(sys.executable).parent / "socialcredit"), "scorecard", "fit", "--data", str(data),
        "--target", "default", "--id", "applicant", "--protected", ",".join(PROTECTED), "--legal-basis", BASIS,
        "--out", str(folder / "scheme.yaml"), "--report", str(folder / "report-cli"),
        "--range", f"{SCALE[0]}:{SCALE[1]}", "--bands", BANDS,
    ]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    auc = next(line for line in done.stdout.splitlines() if "cross-validated AUC" in line)
    return seconds, auc.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/socialcredit-bench-scorecard"))
    parser.add_argument("--no-command", action="store_true", help="skip the whole command in its own process")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    data = args.dir / f"train-{args.rows}.csv"
    frame = synthetic(args.rows)
    frame.to_csv(data, index=False)
    size = data.stat().st_size / 2**20
    print(f"{args.rows:,} rows × {len(NUMBERS) + len(FEATURES_TEXT) + len(PROTECTED)} columns "
          f"({len(NUMBERS)} numeric, {len(FEATURES_TEXT)} text, {len(PROTECTED)} protected), "
          f"{frame['default'].mean():.1%} defaults, {size:.1f} MiB of CSV", flush=True)  # fmt: skip
    baseline = bare_fit(frame)
    print(f"optbinning Scorecard.fit alone (the baseline): {baseline:6.1f} s", flush=True)
    seconds = stages(data, args.dir / "report")
    for name, value in seconds.items():
        print(f"  {name:<40} {value:6.1f} s  ({value / baseline:.1f}× the bare fit)")
    total = sum(seconds.values())
    print(
        f"read + fit + cross-validation + export + report, in process: {total:6.1f} s = "
        f"{total / baseline:.1f}× the bare fit; target under 60 s: {'met' if total < 60 else 'MISSED'}",
        flush=True,
    )
    if not args.no_command:
        whole, auc = whole_command(data, args.dir)
        print(
            f"socialcredit scorecard fit --report, whole process (imports included): {whole:6.1f} s = "
            f"{whole / baseline:.1f}× the bare fit ({auc}); target under 60 s: {'met' if whole < 60 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
