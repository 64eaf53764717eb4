"""What the public sees cannot be turned into a person's number.

The attack that worked: read the masked numbers off the public list (``3710822005****2124`` left about 33 birth
dates), then ask the unlimited full-number lookup each candidate. Now the list shows the division, sex and age
only (at least 182,500 candidates, counted by brute force below), the lookup is rate-limited per client, and
where the platform holds the person's name an entry is found only with it. Lookups of numbers nobody holds write
nothing; lookups that find a listed person are counted per day in that person's access log.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from stdnum.cn import ric

from socialcredit.ids import parse_subject_id
from socialcredit.ids.masking import MIN_CANDIDATES, age_on, candidates, publish
from socialcredit.ids.model import IdScheme
from socialcredit.tables.audit import audit_leaves_table
from socialcredit.tables.service import access_table
from tests.api.conftest import ALICE, World
from tests.factories import person

LIST = "dishonest-judgment-debtors"
LISTED = [person(10 + i, birth=date(1960 + 7 * i, 1 + i, 3 + 2 * i)) for i in range(5)]
NAMES = ["王芳", "李娜", "张伟", "刘洋", "陈静"]


def _list_everyone(w: World, *, named: bool) -> None:
    for i, subject in enumerate(LISTED):
        record = w.listing(subject, f"(2026)鲁1082执{100 + i}号")
        if named:
            record["attributes"]["name"] = NAMES[i]
        w.submit("court", record)


def _candidates(shown: str, sex: str, age: int, day: date) -> list[str]:
    """Every resident identity number that fits what the list shows: the attacker's enumeration."""
    division = shown[:6]
    latest, earliest = day.replace(year=day.year - age), day.replace(year=day.year - age - 1)
    out = []
    birth = earliest + timedelta(days=1)
    while birth <= latest:
        for sequence in range(1 if sex == "male" else 0, 1000, 2):
            body = f"{division}{birth:%Y%m%d}{sequence:03d}"
            out.append(body + ric.calc_check_digit(body + "0"))
        birth += timedelta(days=1)
    return out


def _count(w: World, table) -> int:
    with w.store.read_snapshot() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_the_published_fields_leave_at_least_10000_numbers_and_brute_force_agrees(world: World) -> None:
    w = world
    _list_everyone(w, named=False)
    items = w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")["items"]
    assert len(items) == len(LISTED)
    day = w.today()
    for item in items:
        assert set(item["subject"][6:]) == {"*"} and item["sex"] in ("male", "female") and item["age"] > 0
        subject = next(s for s in LISTED if s[:6] == item["subject"][:6] and age_on(_birth(s), day) == item["age"])
        found = _candidates(item["subject"], item["sex"], item["age"], day)
        assert subject in found
        assert len(found) == candidates(publish(parse_subject_id(subject), day), IdScheme.RESIDENT_ID, day)
        assert len(found) >= MIN_CANDIDATES


def _birth(subject: str) -> date:
    return date(int(subject[6:10]), int(subject[10:12]), int(subject[12:14]))


def test_the_attack_recovers_no_one(world: World) -> None:
    """Enumerate the candidates of every published entry against the lookup, as fast as it answers."""
    w = world
    _list_everyone(w, named=False)
    recovered, refused, asked = set(), 0, 0
    for item in w.ok(None, "GET", f"/v1/public/lists/{LIST}/entries")["items"]:
        for number in _candidates(item["subject"], item["sex"], item["age"], w.today())[:60]:
            asked += 1
            answer = w.call(None, "POST", "/v1/public/lookup", json={"subject_id": number})
            if answer.status_code == 429:
                refused += 1
                assert int(answer.headers["Retry-After"]) >= 1
                continue
            assert answer.status_code == 200
            if answer.json()["listed"]:
                recovered.add(number)
    assert asked == 300 and refused == asked - 10  # a burst of 10, then the clock would have to move
    assert not recovered


def test_where_the_platform_holds_the_name_the_number_alone_finds_nothing(world: World) -> None:
    w = world
    _list_everyone(w, named=True)
    subject, name = LISTED[0], NAMES[0]
    alone = w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": subject})
    wrong = w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": subject, "name": "王小明"})
    nobody = w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": person(999), "name": name})
    assert alone["listed"] is wrong["listed"] is nobody["listed"] is False
    assert alone["entries"] == wrong["entries"] == nobody["entries"] == []
    found = w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": subject, "name": f" {name} "})
    assert found["listed"] is True and found["entries"][0]["key"] == "(2026)鲁1082执100号"


def test_a_lookup_of_a_number_nobody_holds_writes_nothing(world: World) -> None:
    w = world
    leaves, rows = _count(w, audit_leaves_table), _count(w, access_table)
    for i in range(8):
        assert w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": person(500 + i)})["listed"] is False
    assert (_count(w, audit_leaves_table), _count(w, access_table)) == (leaves, rows)


def test_lookups_of_a_listed_person_are_counted_per_day_in_their_access_log(world: World) -> None:
    w = world
    w.submit("court", w.listing(ALICE, "C1"))
    leaves = _count(w, audit_leaves_table)
    for _ in range(3):
        assert w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": ALICE})["listed"] is True
    assert _count(w, audit_leaves_table) == leaves + 1  # the first of the day
    (row,) = [
        r for r in w.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"] if r["action"] == "public.lookup"
    ]
    assert row["count"] == 3 and row["party"] == "anonymous"
    w.advance(1)
    w.ok(None, "POST", "/v1/public/lookup", json={"subject_id": ALICE})
    rows = [
        r for r in w.ok("alice", "GET", f"/v1/subjects/{ALICE}/access-log")["items"] if r["action"] == "public.lookup"
    ]
    assert [r["count"] for r in rows] == [1, 3]
