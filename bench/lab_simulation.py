"""The policy lab's simulation: where the time of a run goes, and what a Rongcheng-sized run would take.

    .venv/bin/python bench/lab_simulation.py                          # 10,000 residents, 5 years + 3 burn-in
    .venv/bin/python bench/lab_simulation.py --residents 20000 --schemes rongcheng

A run (the default scenario, resized) is timed as a whole, then run again under cProfile to split it into the
city's conduct, due process, the pure engine's evaluation and the observation around it. The baseline, measured in
the same process, is what the engine alone costs: one evaluation of every subject at the last month's end over
the run's final records (``Evaluator.core`` and ``Evaluator.measures``), times the months scored. The ratio says
how much the lab adds to the engine; the engine itself is what a Rongcheng-sized run is bound by.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import time
from collections.abc import Callable

from socialcredit.engine import Evaluator
from socialcredit.lab import simulation as simulation_module
from socialcredit.lab.parallel import available_cores
from socialcredit.lab.scenario import Scenario, parse_scenario, shipped_scenario_text
from socialcredit.lab.simulation import Simulation
from socialcredit.scheme.registry import load_scheme

RONGCHENG = 790_000
PHASES = {
    "conduct (behaviour, records)": "_act",
    "due process (objections)": "_decide",
    "evaluation and observation": "_evaluate",
    "feedback (deterrence, filing)": "_feed_back",
}
ENGINE = {"Evaluator.core": "core", "Evaluator.measures": "measures"}


def scenario(residents: int, schemes: list[str]) -> Scenario:
    base = parse_scenario(shipped_scenario_text())
    data = base.model_dump()
    data["population"]["residents"] = residents
    data["schemes"] = schemes
    return Scenario.model_validate(data)


def cumulative(stats: pstats.Stats, name: str) -> float:
    total = 0.0
    for (path, _line, function), row in stats.stats.items():  # type: ignore[attr-defined]
        if function == name and "socialcredit" in path:
            total += row[3]
    return total


TIMED = {  # wall-clock phases of the last scored year (--phases): (owner, attribute, label)
    "conduct (the month's draws and records)": ("Simulation", "_act"),
    "gathering the records in force": ("Platform", "in_force"),
    "building the month's Evaluator": ("module", "Evaluator"),
    "seeing the subjects again (the pure engine)": ("module", "see_all"),
    "counting the month (aggregate)": ("module", "aggregate"),
    "the whole evaluation": ("Simulation", "_evaluate"),
}


def time_phases(months: int) -> tuple[dict[str, float], Callable[[int, int], None]]:
    """Wrap the phases of :mod:`socialcredit.lab.simulation` in timers that count from month ``months - 12``."""
    totals = dict.fromkeys(TIMED, 0.0)
    done = [0]
    for label, (owner, name) in TIMED.items():
        holder = simulation_module if owner == "module" else getattr(simulation_module, owner)
        original = getattr(holder, name)

        def timed(*args, __original=original, __label=label, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                if done[0] >= months - 12:
                    totals[__label] += time.perf_counter() - started

        setattr(holder, name, timed)

    def progress(step: int, _total: int) -> None:
        done[0] = step

    return totals, progress


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--schemes", default="rongcheng,judgment-debtors")
    parser.add_argument("--quick", action="store_true", help="the timed run only: no baseline, no profile")
    parser.add_argument("--workers", type=int, default=available_cores(), help="processes (default: the cores)")
    parser.add_argument("--phases", action="store_true", help="with --quick: the last year's phases, timed")
    args = parser.parse_args()
    found = scenario(args.residents, args.schemes.split(","))
    schemes = [load_scheme(s) for s in found.schemes]
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()
    simulation = Simulation(found, schemes, workers=args.workers)
    setup = time.perf_counter() - started
    last = [started]

    def report(done: int, total: int) -> None:
        if done % 12 == 0:
            now = time.perf_counter()
            print(f"  month {done}/{total}: {now - last[0]:.1f} s for the last 12", flush=True)
            last[0] = now

    totals, count = time_phases(12 * (found.years + found.burn_in_years)) if args.phases else ({}, None)

    def step(done: int, total: int) -> None:
        if count is not None:
            count(done, total)
        if args.quick:
            report(done, total)

    run = simulation.run(step)
    wall = time.perf_counter() - started
    scored = len(run.months)
    print(
        f"{args.residents:,} residents, {len(run.organizations):,} organizations, {scored} months scored "
        f"(+{12 * found.burn_in_years} unscored), {args.workers} process(es): {wall:.1f} s ({setup:.1f} s set-up)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory: {peak:.1f} GiB")
    if totals:
        year = totals["conduct (the month's draws and records)"] + totals["the whole evaluation"]
        print(f"the last scored year, wall clock: {year:.1f} s of conduct and evaluation")
        for label, seconds in totals.items():
            print(f"  {label:45} {seconds:7.1f} s  {100 * seconds / year:5.1f} %")
    if args.quick:
        print(f"load average at end: {os.getloadavg()[0]:.2f}")
        return
    records = simulation.platform.in_force(set())
    day = run.months[-1].last
    t = time.perf_counter()
    for scheme in schemes:
        evaluator = Evaluator(scheme, records)
        for subject in evaluator.reachable_subjects():
            evaluator.core(subject, day)
            list(evaluator.measures(subject, day))
    once = time.perf_counter() - t
    print(
        f"baseline: the engine alone over the final {len(records):,} records, once: {once:.2f} s; "
        f"x {scored} months = {once * scored:.1f} s; the run is {wall / (once * scored):.2f}x that"
    )
    profiler = cProfile.Profile()
    profiler.enable()
    Simulation(found, schemes).run()
    profiler.disable()
    stats = pstats.Stats(profiler)
    profiled = sum(cumulative(stats, f) for f in PHASES.values())
    for label, function in {**PHASES, **ENGINE}.items():
        seconds = cumulative(stats, function)
        print(f"  {label:32} {seconds:7.1f} s  {100 * seconds / profiled:5.1f} % (under cProfile)")
    per_resident = wall / args.residents
    print(
        f"a Rongcheng-sized run ({RONGCHENG:,} residents) at this rate: {per_resident * RONGCHENG / 60:.0f} min; "
        f"load average at end: {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
