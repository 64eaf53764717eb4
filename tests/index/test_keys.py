"""Subject keys: lossless packing of identifier forms, the hash region, and the mix."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.ids import make_permanent_residence_id, make_resident_id, make_uscc, parse_subject_id
from socialcredit.ids.uscc import ALPHABET
from socialcredit.index import keys as K
from tests.factories import organization, person

RESIDENT = make_resident_id("371082", date(1980, 5, 17), 21)
PR_2023 = make_permanent_residence_id(province="31", nationality="USA", birth=date(1985, 1, 2), sequence=7)
USCC = organization(5)
NATIONAL_USCC = make_uscc(authority="1", entity_type="1", division="100000", org_code_body="00000001")
LETTER_AUTHORITY_USCC = make_uscc(authority="N", entity_type="2", division="371082", org_code_body="ABCDEFGH")


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        (RESIDENT, 0, K.DIGITS_END),
        (PR_2023, 0, K.DIGITS_END),
        ("USA123456789012", K.PR2017_BASE, K.PR2017_END),
        (USCC, K.USCC_BASE, K.USCC_END),
        (NATIONAL_USCC, K.USCC_BASE, K.USCC_END),
        (LETTER_AUTHORITY_USCC, K.USCC_BASE, K.USCC_END),
    ],
)
def test_each_form_packs_into_its_region_and_back(text, low, high):
    key = K.pack(text)
    assert key is not None and low <= key < high
    assert K.unpack(key) == text
    assert not K.is_hashed(key)


@pytest.mark.parametrize(
    "text",
    [
        "passport:USA:X1234567",  # passports are always hashed
        RESIDENT[:17] + ("1" if RESIDENT[17] != "1" else "2"),  # wrong check character
        RESIDENT.lower() if RESIDENT.endswith("X") else RESIDENT[:17] + "x",  # not the canonical text
        USCC[:16] + ("0" if USCC[16] != "0" else "1") + USCC[17],  # wrong organization-code check
        USCC[:2] + "99" + USCC[4:],  # division prefix 99 is no province: not packable (hashed instead)
        "usa123456789012",  # lower case
        "37108219800517002",  # 17 characters
    ],
)
def test_texts_without_a_packed_form_are_not_packed(text):
    assert K.pack(text) is None


def test_the_uscc_region_fits_in_64_bits_only_with_the_province_table():
    assert K.USCC_COUNT == 36 * 35 * 10**4 * 31**8
    assert K.USCC_END < K.HASH_BASE < 2**64
    assert 36 * 10**6 * 31**8 > 2**64  # six free division digits would not fit
    assert len(K.PAIRS) == 36


def test_hash_keys_are_in_the_hash_region_and_differ_by_probe():
    a, b = K.hash_key("passport:USA:X1234567"), K.hash_key("passport:USA:X1234567", 1)
    assert K.is_hashed(a) and K.is_hashed(b) and a != b
    assert K.unpack(a) is None


digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)


@settings(max_examples=300)
@given(digits17)
def test_any_17_digits_with_their_check_round_trip(body):
    text = body + K.mod11_2(body)
    assert K.unpack(K.pack(text)) == text


@settings(max_examples=300)
@given(
    st.sampled_from(K.PAIRS),
    st.sampled_from(K.PROVINCES),
    st.integers(0, 9999),
    st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)
def test_uscc_structure_round_trips(pair, province, rest, body):
    head = f"{pair}{province}{rest:04d}{body}"
    from socialcredit.ids.uscc import org_code_check_character

    head += org_code_check_character(body)
    text = head + K.uscc_check(head)
    key = K.pack(text)
    assert key is not None and K.unpack(key) == text
    # An all-digit code whose last character is also the MOD 11-2 check of the first 17 packs as digits.
    assert K.USCC_BASE <= key < K.USCC_END or (text.isdigit() and key < K.DIGITS_END)


def test_uscc_check_character_is_stdnums():
    from stdnum.cn import uscc

    for n in range(1, 50):
        text = organization(n)
        assert K.uscc_check(text[:17]) == uscc.calc_check_digit(text) == text[17]


@settings(max_examples=200)
@given(
    st.integers(1, 999), st.dates(date(1950, 1, 1), date(2010, 12, 31)), st.sampled_from(["371082", "110101", "440305"])
)
def test_valid_resident_ids_pack_and_distinct_texts_get_distinct_keys(seq, birth, division):
    a = make_resident_id(division, birth, seq)
    b = make_resident_id(division, birth, seq % 999 + 1)
    assert parse_subject_id(a).value == a
    assert K.unpack(K.pack(a)) == a
    assert (K.pack(a) == K.pack(b)) == (a == b)


@settings(max_examples=200)
@given(st.lists(st.one_of(digits17.map(lambda b: b + K.mod11_2(b)), st.text(min_size=1, max_size=20)), max_size=30))
def test_packing_is_injective(texts):
    packed = {}
    for t in texts:
        k = K.pack(t)
        if k is not None:
            assert packed.setdefault(k, t) == t


@settings(max_examples=100)
@given(st.lists(digits17, min_size=1, max_size=50), st.lists(st.booleans(), min_size=50, max_size=50))
def test_vectorised_packing_matches_the_scalar_one(bodies, corrupt):
    texts = []
    for body, bad in zip(bodies, corrupt, strict=False):
        check = K.mod11_2(body)
        texts.append(body + (("0" if check != "0" else "1") if bad else check))
    keys, ok = K.pack_digit_ids(np.array(texts, dtype="S18"))
    for text, key, good in zip(texts, keys, ok, strict=True):
        expected = K.pack(text)
        # Only the DIGITS region is vectorised: a corrupted resident ID can still be an all-digit USCC, which
        # ``pack`` packs in its own region and the callers pack one by one.
        assert good == (expected is not None and expected < K.DIGITS_END)
        if good:
            assert int(key) == expected
    good_keys = keys[ok]
    assert [t.decode() for t in K.unpack_digit_keys(good_keys)] == [t for t, g in zip(texts, ok, strict=True) if g]


NEAR_DIGITS = "0123456789/:X x\x00\x7f\xb0\xb9Ｘ"  # the bytes next to '0' and '9', check letters, non-ASCII


@settings(max_examples=300)
@given(
    st.lists(st.tuples(digits17, st.integers(0, 17), st.sampled_from(NEAR_DIGITS)), min_size=1, max_size=40),
    st.booleans(),
)
def test_vectorised_packing_refuses_what_the_scalar_one_refuses(cases, with_check):
    """Any byte at any place: the vectorised packing accepts exactly the texts the scalar one packs (a text
    that is not 18 ASCII bytes is packed one by one by the caller: here it must not be accepted)."""
    texts = []
    for body, place, char in cases:
        text = body + K.mod11_2(body)
        text = text[:place] + char + text[place + 1 :]
        if with_check and place < 17 and 0 <= ord(char) - 48 < 16:
            # the check character that bytes-minus-'0' arithmetic would compute: ':' must still be refused
            total = sum((ord(c) - 48) * w for c, w in zip(text[:17], K._RIC_WEIGHTS, strict=True))
            text = text[:17] + "10X98765432"[total % 11]
        texts.append(text)
    raw = [t.encode() for t in texts]
    ids = np.array([r if len(r) == 18 else b"?" * 18 for r in raw], dtype="S18")
    keys, ok = K.pack_digit_ids(ids, chunk=7)
    for text, r, key, good in zip(texts, raw, keys, ok, strict=True):
        expected = K.pack(text) if len(r) == 18 and text.isascii() else None
        if expected is not None and expected >= K.DIGITS_END:
            expected = None  # all digits but a credit code (e.g. 523354816742779465): the caller packs it alone
        assert good == (expected is not None), text
        if good:
            assert int(key) == expected


@settings(max_examples=300)
@given(st.integers(0, 2**64 - 1))
def test_the_mix_is_a_bijection(key):
    assert K.unmix(K.mix(key)) == key
    arr = np.array([key], dtype=np.uint64)
    assert int(K.mix_array(arr)[0]) == K.mix(key)
    assert int(K.unmix_array(K.mix_array(arr))[0]) == key


def test_people_of_the_factories_pack():
    for n in range(1, 30):
        assert K.unpack(K.pack(person(n))) == person(n)


def test_an_all_digit_credit_code_is_packed_as_a_credit_code_in_bulk_too():
    from socialcredit.index import DecisionIndex
    from socialcredit.scheme.registry import load_scheme

    text = "523354816742779465"  # 18 digits, not a resident number, a valid credit code
    assert K.pack(text) is not None and K.pack(text) >= K.DIGITS_END
    empty = (np.zeros(0, t) for t in ("u8", "u2", "u2", "u2"))
    index = DecisionIndex.from_arrays(load_scheme("judgment-debtors"), *empty)
    keys, ok = index.keys_of(np.array([text.encode()], dtype="S18"))
    assert ok.all() and int(keys[0]) == K.pack(text)


def test_a_corrupted_resident_id_that_is_an_all_digit_uscc_is_left_to_the_scalar_packing():
    text = "124636799687621031"  # 17 digits and a wrong MOD 11-2 check, but both USCC checks hold
    assert K.pack(text) is not None and K.pack(text) >= K.USCC_BASE
    _, ok = K.pack_digit_ids(np.array([text], dtype="S18"))
    assert not ok[0]
