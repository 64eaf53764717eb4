"""Putting schemes into operation: each scheme's rights audit is made once, when the context is built, and a
scheme whose audit finds an error is refused, with every error named by scheme and field."""

from __future__ import annotations

import pytest

from socialcredit.errors import SchemeError
from socialcredit.scheme.registry import load_scheme, shipped_names
from socialcredit.service import context as context_module
from socialcredit.service.context import build_context
from socialcredit.service.notices import MemorySender
from socialcredit.store import Store
from tests.service.scheme_texts import UNLISTED_ACTION, UNLISTED_TYPE, scheme


def build(store: Store, *schemes):
    return build_context(store, schemes=list(schemes) if schemes else None, sender=MemorySender())


def test_the_shipped_schemes_go_into_operation_with_their_audits(store: Store) -> None:
    context = build(store)
    shipped = [load_scheme(name) for name in shipped_names()]
    assert set(context.audits) == {s.label for s in shipped} == {s.label for s in context.schemes}
    for s in context.schemes:
        audit = context.audit(s.scheme)
        assert audit is context.audits[s.label]
        assert audit.scheme == s.label and audit.may_operate and audit.errors == []
        assert audit.catalogue_version == context.catalogue.version
        assert audit.measures_version == context.measures.version
    spill = [w for w in context.audit("judgment-debtors").warnings if "cross-domain" in w.reason]
    assert spill and all("by design" in w.reason for w in spill)


def test_a_scheme_that_passes_is_put_into_operation_with_its_warnings(store: Store) -> None:
    context = build(store, scheme())
    assert context.scheme_names() == ["city"]
    assert context.audit("city").errors == []
    assert [w.field for w in context.audit("city").warnings] == ["measures[0]"]  # flights after enforcement


def test_a_record_type_outside_the_catalogue_keeps_a_scheme_from_operation(store: Store) -> None:
    with pytest.raises(SchemeError) as info:
        build(store, scheme(record_type=UNLISTED_TYPE))
    problem = next(p for p in info.value.problems if p.field == "score.rules[0].record_type")
    assert UNLISTED_TYPE in problem.reason and "not in the catalogue of record types" in problem.reason
    assert "rights audit:" in problem.reason  # the rule it rests on
    assert problem.file == "scheme city@1"


def test_an_action_off_the_list_of_measures_keeps_a_scheme_from_operation(store: Store) -> None:
    with pytest.raises(SchemeError) as info:
        build(store, scheme(action=UNLISTED_ACTION))
    fields = {p.field: p.reason for p in info.value.problems}
    assert "measures[0].actions[0]" in fields
    assert (
        UNLISTED_ACTION in fields["measures[0].actions[0]"]
        and "not on the list of measures" in fields["measures[0].actions[0]"]
    )


def test_every_refused_scheme_is_named_at_once_and_a_good_one_does_not_save_them(store: Store) -> None:
    with pytest.raises(SchemeError) as info:
        build(
            store,
            scheme(),
            scheme(name="visits", record_type=UNLISTED_TYPE),
            scheme(name="tones", action=UNLISTED_ACTION),
        )
    files = {p.file for p in info.value.problems}
    assert files == {"scheme visits@1", "scheme tones@1"}


def test_a_lab_scheme_is_left_out_not_refused(store: Store) -> None:
    lab = scheme(name="lab-city", purpose="lab", record_type=UNLISTED_TYPE, action=UNLISTED_ACTION)
    context = build(store, lab, scheme())
    assert context.scheme_names() == ["city"]
    assert set(context.audits) == {"city@1"}


def test_the_audits_are_made_once_when_the_context_is_built(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    audit = context_module.audit_scheme

    def counting(s, catalogue, measures):
        calls.append(s.label)
        return audit(s, catalogue, measures)

    monkeypatch.setattr(context_module, "audit_scheme", counting)
    context = build(store, scheme(), scheme(name="other"))
    assert calls == ["city@1", "other@1"]
    for _ in range(3):
        context.audit("city")
        context.audit("other")
    assert calls == ["city@1", "other@1"]


def test_two_versions_of_one_scheme_are_not_put_into_operation_together(store: Store) -> None:
    rongcheng = load_scheme("rongcheng")
    other = rongcheng.model_copy(update={"version": "2025.1"})
    with pytest.raises(SchemeError) as info:
        build(store, rongcheng, other)
    assert "both given for operation" in str(info.value)
    assert build(store, rongcheng).schemes == (rongcheng,)
