"""Group commit: concurrent callers share transactions, each returns only after its own item committed, and a
bad item fails only its caller."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from socialcredit.service.group_commit import GroupCommit


class Log:
    """A write function that records each transaction, can be held open, and refuses the item ``"bad"``."""

    def __init__(self) -> None:
        self.transactions: list[list[str]] = []
        self.committed: set[str] = set()
        self.hold = threading.Event()
        self.hold.set()
        self.entered = threading.Event()

    def write(self, items: Sequence[str]) -> None:
        self.entered.set()
        self.hold.wait(10)
        if "bad" in items:
            raise ValueError("bad item")
        self.transactions.append(list(items))
        self.committed.update(items)


def test_a_lone_caller_commits_at_once_in_its_own_transaction() -> None:
    log = Log()
    commits = GroupCommit(log.write)
    commits.submit("a")
    commits.submit("b")
    assert log.transactions == [["a"], ["b"]]
    assert (commits.groups, commits.items) == (2, 2)


def test_callers_arriving_during_a_commit_share_the_next_transaction_and_return_after_it() -> None:
    log = Log()
    commits = GroupCommit(log.write)
    log.hold.clear()
    returned: list[str] = []
    with ThreadPoolExecutor(9) as pool:
        first = pool.submit(lambda: (commits.submit("first"), returned.append("first")))
        assert log.entered.wait(5)
        rest = [pool.submit(lambda n=n: (commits.submit(f"r{n}"), returned.append(f"r{n}"))) for n in range(8)]
        # None of them can have returned: nothing of theirs has committed.
        threading.Event().wait(0.2)
        assert returned == []
        log.hold.set()
        for future in [first, *rest]:
            future.result(timeout=10)
    assert log.transactions[0] == ["first"]
    assert sorted(x for t in log.transactions[1:] for x in t) == sorted(f"r{n}" for n in range(8))
    assert len(log.transactions) < 9  # grouped: fewer transactions than callers
    assert log.committed == {"first", *(f"r{n}" for n in range(8))}


def test_a_bad_item_fails_its_own_caller_and_the_rest_of_its_group_commits() -> None:
    log = Log()
    commits = GroupCommit(log.write)
    log.hold.clear()
    outcomes: dict[str, str] = {}

    def submit(item: str) -> None:
        try:
            commits.submit(item)
            outcomes[item] = "ok"
        except ValueError as exc:
            outcomes[item] = str(exc)

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(submit, "lead")]
        assert log.entered.wait(5)
        futures += [pool.submit(submit, item) for item in ("x", "bad", "y")]
        threading.Event().wait(0.2)
        log.hold.set()
        for future in futures:
            future.result(timeout=10)
    assert outcomes == {"lead": "ok", "x": "ok", "bad": "bad item", "y": "ok"}
    assert log.committed == {"lead", "x", "y"}


@pytest.mark.parametrize(("sizes", "largest", "groups"), [([5, 5, 5], 10, [["lead"], ["s0", "s1"], ["s2"]]),
                                                          ([20], 10, [["lead"], ["s0"]])])  # fmt: skip
def test_a_group_is_bounded_by_size_but_takes_at_least_one_item(
    sizes: list[int], largest: int, groups: list[list[str]]
) -> None:
    log = Log()
    weight = {f"s{n}": size for n, size in enumerate(sizes)} | {"lead": 1}
    commits = GroupCommit(log.write, largest=largest, size=weight.__getitem__)
    log.hold.clear()
    with ThreadPoolExecutor(len(sizes) + 1) as pool:
        futures = [pool.submit(commits.submit, "lead")]
        assert log.entered.wait(5)
        for n in range(len(sizes)):
            futures.append(pool.submit(commits.submit, f"s{n}"))
            threading.Event().wait(0.05)  # queued in this order
        log.hold.set()
        for future in futures:
            future.result(timeout=10)
    assert log.transactions == groups


def test_many_concurrent_callers_all_commit_exactly_once() -> None:
    log = Log()
    commits = GroupCommit(log.write)
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(commits.submit, [f"i{n}" for n in range(2000)]))
    flat = [x for t in log.transactions for x in t]
    assert sorted(flat) == sorted(f"i{n}" for n in range(2000))
    assert commits.items == 2000
