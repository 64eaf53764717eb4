"""Subject keys: every subject identifier as one unsigned 64-bit integer, losslessly where the form allows.

The key space is cut into regions; within a region the packing is injective, and ``decode`` recomputes the
check characters that the packing leaves out, so a text is packed only when ``decode(encode(text)) == text``
(a text with a wrong check character, odd casing or any other form falls through to the hash region; a text
that has two packed forms, an all-digit USCC whose last digit is also the MOD 11-2 check, takes the first):

==============  ===========================================  ==========================================
region          text form                                    packing
==============  ===========================================  ==========================================
DIGITS          17 digits + ISO 7064 MOD 11-2 check          the 17 digits as a number: [0, 10^17).
                (resident identity numbers start 1-8, 2023   Resident IDs and 2023 permanent residence
                permanent residence cards start 9)           cards share it; the check is derived.
PR2017          3 letters A-Z + 12 digits (2017 card)        10^17 + letters (base 26) * 10^12 + digits
USCC            GB 32100-2015 with both check characters     2^57 + a mixed-radix number, see below
HASH            anything else (passports, unusual codes)     2^60 * 15 + 60 bits of BLAKE2b(text, salt)
==============  ===========================================  ==========================================

**Does a USCC fit in 64 bits losslessly?** Its 18 characters over a 31-letter alphabet would need 89 bits
written out, but most of them are structure: position 17 (the GB 11714 organization-code check) and 18 (the
USCC check) are derivable; positions 1-2 are one of 36 (registering authority, entity type) pairs of the
standard's table; positions 3-8 are a division code whose first two digits are one of 34 province-level codes
(or ``10`` for national registration) and whose last four are digits; positions 9-16 are 8 characters of the
31-letter alphabet. That is 36 x 35 x 10^4 x 31^8 = 1.0747 x 10^19 values, below 2^64 = 1.8447 x 10^19, so
every USCC whose division starts with a province code packs losslessly (63.2 bits), beside the person
regions. Without the province table it would not fit (36 x 10^6 x 31^8 = 3.07 x 10^19): the 35 prefixes are
part of the key format (``KEY_FORMAT``); a code with another prefix is still indexed, through the hash region.

**Hash region.** Passports (``passport:USA:X1234567``) and any text that does not pack get 60 bits of
BLAKE2b with a salt (the probe number). A hashed key is not trusted alone: the index keeps the exact text of
every hashed subject it holds, and a lookup by text verifies it (and probes the next salt when another text
owns the key), so two texts never share an answer. Bulk lookups by bare key in this region are unverified.
"""

from __future__ import annotations

import hashlib

import numpy as np

from socialcredit.ids.uscc import ALPHABET, AUTHORITIES, org_code_check_character

KEY_FORMAT = 1
"""Bumped whenever the packing changes: a saved index with another format is refused."""

DIGITS_END = 10**17
PR2017_BASE = DIGITS_END
PR2017_END = PR2017_BASE + 26**3 * 10**12
USCC_BASE = 1 << 57
PROVINCES = (
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42",
    "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82",
)  # fmt: skip
"""``10`` (national registration, division 100000) and the 34 province-level GB/T 2260 prefixes."""
PAIRS = tuple(a + t for a, (_name, types) in AUTHORITIES.items() for t in types)
"""The 36 (registering authority, entity type) pairs of GB 32100-2015, in the standard's order."""
USCC_COUNT = len(PAIRS) * len(PROVINCES) * 10**4 * 31**8
USCC_END = USCC_BASE + USCC_COUNT
HASH_BASE = 15 << 60
HASH_BITS = 60

assert PR2017_END <= USCC_BASE and USCC_END <= HASH_BASE  # the regions are disjoint

_PAIR_INDEX = {p: i for i, p in enumerate(PAIRS)}
_PROVINCE_INDEX = {p: i for i, p in enumerate(PROVINCES)}
_ALPHA_INDEX = {c: i for i, c in enumerate(ALPHABET)}
_MOD11_2 = "10X98765432"
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def mod11_2(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character of 17 digits (resident IDs, 2023 permanent residence cards)."""
    return _MOD11_2[sum(int(c) * w for c, w in zip(body, _RIC_WEIGHTS, strict=True)) % 11]


def uscc_check(body: str) -> str:
    """The USCC check character (position 18) of the first 17 characters."""
    total = sum(_ALPHA_INDEX[c] * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def hash_key(text: str, probe: int = 0) -> int:
    """The ``probe``-th hash-region key of ``text``."""
    digest = hashlib.blake2b(text.encode(), digest_size=8, salt=probe.to_bytes(8, "little")).digest()
    return HASH_BASE | (int.from_bytes(digest, "little") & ((1 << HASH_BITS) - 1))


def pack(text: str) -> int | None:
    """The lossless key of ``text``, or None if it has no packed form (it is then hashed)."""
    n = len(text)
    if n == 18 and text[:17].isdigit() and text[:17].isascii() and text[17] == mod11_2(text[:17]):
        return int(text[:17])
    if n == 15 and text.isascii() and text[:3].isalpha() and text[:3].isupper() and text[3:].isdigit():
        letters = (ord(text[0]) - 65) * 676 + (ord(text[1]) - 65) * 26 + (ord(text[2]) - 65)
        return PR2017_BASE + letters * 10**12 + int(text[3:])
    if n == 18:
        pair = _PAIR_INDEX.get(text[:2])
        province = _PROVINCE_INDEX.get(text[2:4])
        if pair is None or province is None or not (text[4:8].isdigit() and text[4:8].isascii()):
            return None
        body = 0
        for c in text[8:16]:
            v = _ALPHA_INDEX.get(c)
            if v is None:
                return None
            body = body * 31 + v
        if text[16] != org_code_check_character(text[8:16]) or text[17] != uscc_check(text[:17]):
            return None
        return USCC_BASE + ((pair * len(PROVINCES) + province) * 10**4 + int(text[4:8])) * 31**8 + body
    return None


def unpack(key: int) -> str | None:
    """The text of a packed key; None for a hash-region key (its text is kept by the index)."""
    if key < DIGITS_END:
        body = f"{key:017d}"
        return body + mod11_2(body)
    if key < PR2017_END:
        letters, digits = divmod(key - PR2017_BASE, 10**12)
        a, rest = divmod(letters, 676)
        b, c = divmod(rest, 26)
        return f"{chr(65 + a)}{chr(65 + b)}{chr(65 + c)}{digits:012d}"
    if USCC_BASE <= key < USCC_END:
        rest, body = divmod(key - USCC_BASE, 31**8)
        rest, digits = divmod(rest, 10**4)
        pair, province = divmod(rest, len(PROVINCES))
        chars = []
        for _ in range(8):
            body, v = divmod(body, 31)
            chars.append(ALPHABET[v])
        org = "".join(reversed(chars))
        head = f"{PAIRS[pair]}{PROVINCES[province]}{digits:04d}{org}{org_code_check_character(org)}"
        return head + uscc_check(head)
    if key < HASH_BASE:
        raise ValueError(f"{key} is in no key region")
    return None


def is_hashed(key: int) -> bool:
    """Whether a key is in the hash region (its text must be verified)."""
    return key >= HASH_BASE


# --- vectorised forms ------------------------------------------------------------------------------------------

_W17 = np.array(_RIC_WEIGHTS, dtype=np.int64)
_POW10 = (10 ** np.arange(16, -1, -1, dtype=np.uint64)).astype(np.uint64)
_CHECK_BYTES = np.frombuffer(_MOD11_2.encode(), dtype=np.uint8)


# Eight ASCII digits read as one little-endian uint64 (the first digit in the lowest byte), worked on in place
# ("SWAR"): checked, weighed for the MOD 11-2 check and turned into their number without a loop over bytes.
_U = np.uint64
_ZEROS = _U(0x3030303030303030)
_HIGH_NIBBLES = _U(0xF0F0F0F0F0F0F0F0)
_SIXES = _U(0x0606060606060606)
_BYTE_LANES = _U(0x00FF00FF00FF00FF)
_PAIR_LANES = _U(0x0000FFFF0000FFFF)
_QUAD_LANES = _U(0x00000000FFFFFFFF)


def _lane_weights(weights: tuple[int, ...]) -> np.uint64:
    """A multiplier whose product with four 16-bit lanes holds their weighted sum in its top lane."""
    return _U(sum(w << (16 * (3 - k)) for k, w in enumerate(weights)))


_EVEN_WEIGHTS = [_lane_weights(_RIC_WEIGHTS[8 * g : 8 * g + 8 : 2]) for g in (0, 1)]
_ODD_WEIGHTS = [_lane_weights(_RIC_WEIGHTS[8 * g + 1 : 8 * g + 8 : 2]) for g in (0, 1)]


def _all_digits(x: np.ndarray) -> np.ndarray:
    """Whether each of the eight bytes of each uint64 is an ASCII digit: high nibble 3, and adding 6 to the low
    nibble does not carry (a byte is at most 0x3F + 6, so nothing carries across bytes)."""
    ok = (x & _HIGH_NIBBLES) == _ZEROS
    ok &= ((x + _SIXES) & _HIGH_NIBBLES) == _ZEROS
    return ok


def _weighed(d: np.ndarray, group: int) -> np.ndarray:
    """The MOD 11-2 weighted sum of eight digit values (bytes 0-9) of digit group ``group`` (0 or 1)."""
    even = d & _BYTE_LANES
    even *= _EVEN_WEIGHTS[group]
    even >>= _U(48)
    odd = d >> _U(8)
    odd &= _BYTE_LANES
    odd *= _ODD_WEIGHTS[group]
    odd >>= _U(48)
    even += odd
    return even


def _number(d: np.ndarray) -> np.ndarray:
    """The number of eight digit values (bytes 0-9, the first digit in the lowest byte), in place."""
    for shift, factor, lanes in ((8, 10, _BYTE_LANES), (16, 100, _PAIR_LANES), (32, 10_000, _QUAD_LANES)):
        t = d >> _U(shift)
        d *= _U(factor)
        d += t
        d &= lanes
    return d


def pack_digit_ids(ids: np.ndarray, chunk: int = 1 << 14) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`pack` for the DIGITS region: ``ids`` is an ``S18`` array (ASCII bytes).

    Returns ``(keys, ok)``: ``ok`` is False where a text is not 17 digits plus its MOD 11-2 check (those keys
    are meaningless; pack them one by one with :func:`pack`). Works in cache-sized chunks, eight digits to a
    uint64 operation.
    """
    raw_all = np.ascontiguousarray(ids, dtype="S18").view(np.uint8).reshape(-1, 18)
    m = len(raw_all)
    keys = np.empty(m, dtype=np.uint64)
    ok = np.empty(m, dtype=bool)
    words = np.zeros((min(chunk, m), 3), dtype=np.uint64)  # a text in 24 bytes: digits 1-8, 9-16, 17 + check
    padded = words.view(np.uint8).reshape(-1, 24)
    for i in range(0, m, chunk):
        raw = raw_all[i : i + chunk]
        k = len(raw)
        padded[:k, :18] = raw
        first, second, rest = words[:k, 0], words[:k, 1], words[:k, 2]
        good = _all_digits(first)
        good &= _all_digits(second)
        last = rest & _U(0xFF)
        last -= _U(48)  # a non-digit wraps above 9
        good &= last <= _U(9)
        first = first - _ZEROS
        second = second - _ZEROS
        weighted = _weighed(first, 0)
        weighted += _weighed(second, 1)
        weighted += last * _U(_RIC_WEIGHTS[16])
        weighted %= _U(11)
        good &= _CHECK_BYTES[weighted.astype(np.intp)] == (rest >> _U(8)) & _U(0xFF)
        ok[i : i + k] = good
        key = _number(first)
        key *= _U(10**9)
        second = _number(second)
        second *= _U(10)
        key += second
        key += last
        keys[i : i + k] = key
    return keys, ok


def unpack_digit_keys(keys: np.ndarray) -> np.ndarray:
    """The ``S18`` texts of DIGITS-region keys (vectorised :func:`unpack`)."""
    keys = np.asarray(keys, dtype=np.uint64)
    digits = ((keys[:, None] // _POW10[None, :]) % np.uint64(10)).astype(np.int64)
    out = np.empty((len(keys), 18), dtype=np.uint8)
    out[:, :17] = digits + 48
    out[:, 17] = _CHECK_BYTES[(digits @ _W17) % 11]
    return out.view("S18").reshape(-1)


# --- the mix that spreads keys over the index's directory -----------------------------------------------------

MIX = 0x9E3779B97F4A7C15
UNMIX = pow(MIX, -1, 1 << 64)
_MASK = (1 << 64) - 1


def mix(key: int) -> int:
    """A bijection of 64-bit keys whose top bits are spread evenly (xor-shift, then Fibonacci multiply)."""
    return ((key ^ (key >> 32)) * MIX) & _MASK


def unmix(h: int) -> int:
    """The inverse of :func:`mix`."""
    x = (h * UNMIX) & _MASK
    return x ^ (x >> 32)


def mix_array(keys: np.ndarray) -> np.ndarray:
    """Vectorised :func:`mix` (uint64 arithmetic wraps)."""
    k = np.asarray(keys, dtype=np.uint64)
    return (k ^ (k >> np.uint64(32))) * np.uint64(MIX)


def unmix_array(h: np.ndarray) -> np.ndarray:
    """Vectorised :func:`unmix`."""
    x = np.asarray(h, dtype=np.uint64) * np.uint64(UNMIX)
    return x ^ (x >> np.uint64(32))
