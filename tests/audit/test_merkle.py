"""The Merkle tree against RFC 6962: published test vectors, and properties of proofs and their verifiers."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socialcredit.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# The leaves and roots of the certificate-transparency reference implementation's test vectors.
LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    bytes(range(0x60, 0x70)),
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
HASHES = [leaf_hash(data) for data in LEAVES]


def test_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert root_of([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_reference_vectors(size: int) -> None:
    assert root_of(HASHES[:size]).hex() == ROOTS[size - 1]


def test_inclusion_proof_vector() -> None:
    assert [p.hex() for p in inclusion_proof(0, HASHES)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]


def test_consistency_proof_vectors() -> None:
    assert [p.hex() for p in consistency_proof(6, HASHES)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]
    assert [p.hex() for p in consistency_proof(2, HASHES[:5])] == [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ]
    assert consistency_proof(1, HASHES[:1]) == [] == consistency_proof(0, HASHES)


def _root_from_path(index: int, size: int, leaf: bytes, path: list[bytes]) -> bytes:
    """The RFC's recursive definition run backwards: an independent check of the iterative verifier."""
    if size == 1:
        assert not path
        return leaf
    k = 1 << ((size - 1).bit_length() - 1)
    if index < k:
        return node_hash(_root_from_path(index, k, leaf, path[:-1]), path[-1])
    return node_hash(path[-1], _root_from_path(index - k, size - k, leaf, path[:-1]))


leaves_strategy = st.lists(st.binary(max_size=8), min_size=1, max_size=70).map(lambda xs: [leaf_hash(x) for x in xs])


@settings(max_examples=150, deadline=None)
@given(leaves_strategy, st.data())
def test_every_inclusion_proof_verifies_and_any_change_fails(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    root = root_of(leaves)
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(index, leaves)
    assert verify_inclusion(index, n, leaves[index], proof, root)
    assert _root_from_path(index, n, leaves[index], proof) == root
    # Any altered leaf, index, size, proof element or root fails.
    assert not verify_inclusion(index, n, leaf_hash(b"other" + leaves[index]), proof, root)
    assert not verify_inclusion(index, n, leaves[index], proof, _flip(root, data))
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        assert not verify_inclusion(
            index, n, leaves[index], [*proof[:at], _flip(proof[at], data), *proof[at + 1 :]], root
        )
        assert not verify_inclusion(index, n, leaves[index], proof[:-1], root)
    assert not verify_inclusion(index, n, leaves[index], [*proof, root], root)
    if n > 1:
        other = data.draw(st.integers(0, n - 1).filter(lambda i: i != index))
        assert not verify_inclusion(other, n, leaves[index], proof, root) or leaves[other] == leaves[index]
    assert not verify_inclusion(n, n, leaves[index], proof, root)


@settings(max_examples=150, deadline=None)
@given(leaves_strategy, st.data())
def test_every_consistency_proof_verifies_and_any_change_fails(leaves: list[bytes], data: st.DataObject) -> None:
    n = len(leaves)
    m = data.draw(st.integers(0, n))
    old, new = root_of(leaves[:m]), root_of(leaves)
    proof = consistency_proof(m, leaves)
    assert verify_consistency(m, n, old, new, proof)
    if m > 0:  # the empty tree is a prefix of every tree: nothing to check against the new root
        assert not verify_consistency(m, n, old, _flip(new, data), proof)
        assert not verify_consistency(m, n, _flip(old, data), new, proof)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        assert not verify_consistency(m, n, old, new, [*proof[:at], _flip(proof[at], data), *proof[at + 1 :]])
        assert not verify_consistency(m, n, old, new, proof[:-1])
    if 0 < m < n:
        # A rewritten prefix: same sizes, a changed leaf before m, proof from the rewritten tree.
        index = data.draw(st.integers(0, m - 1))
        forged = [*leaves[:index], leaf_hash(b"forged" + leaves[index]), *leaves[index + 1 :]]
        assert not verify_consistency(m, n, old, root_of(forged), consistency_proof(m, forged))


@settings(max_examples=100, deadline=None)
@given(leaves_strategy)
def test_the_frontier_gives_every_prefix_root(leaves: list[bytes]) -> None:
    frontier = Frontier()
    for size, leaf in enumerate(leaves):
        assert frontier.root() == root_of(leaves[:size])
        frontier.append(leaf)
        assert len(frontier.nodes) == bin(frontier.size).count("1")
        again = Frontier.decode(frontier.size, frontier.encode())
        assert again.root() == frontier.root()
    assert frontier.head().root == root_of(leaves)


def _flip(value: bytes, data: st.DataObject) -> bytes:
    bit = data.draw(st.integers(0, len(value) * 8 - 1))
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)
