"""Small scheme documents for the tests of putting schemes into operation: one that passes the rights audit, and
edits of it that do not (a record type outside the catalogue, an action off the list of measures)."""

from __future__ import annotations

from socialcredit.scheme.loader import parse_scheme
from socialcredit.scheme.model import Scheme

TEMPLATE = """\
scheme: {name}
version: "1"
title: A city scheme
purpose: {purpose}
subject_kinds: [person, organization]
jurisdiction: "371082"
effective_from: 2024-01-01
sources:
  - {{id: law, title: A law}}
objection:
  how: Write to the credit office
  decided_within_days: 20
  legal_basis: Credit Reporting Industry Regulation, Art. 25
score:
  base: 1000
  rules:
    - id: conduct
      record_type: {record_type}
      points: -10
      counts_for: {{years: 1}}
      legal_basis: City measures, Art. 9
lists:
  - id: city-debtors
    name: Dishonest judgment debtors
    kind: black
    subject_kinds: [person, organization]
    legal_basis: SPC Provisions (法释〔2017〕7号), Art. 1
    entry:
      record_type: court.dishonest_listing
      key: case_no
      duration:
        - period: {{years: 2}}
    exits:
      - record_type: court.obligation_performed
    remedy: Perform the obligation; the entry ends that day.
measures:
  - id: city-no-flights
    actions: [{action}]
    effect: deny
    when: {{list: city-debtors}}
    subject_kinds: [person, organization]
    legal_basis: SPC Provisions on Restricting High Consumption (2010, amended 2015), Art. 3
"""

GOOD_TYPE = "court.contract_breach_judgment"
GOOD_ACTION = "buy_air_ticket"
UNLISTED_TYPE = "order.office_visits"
"""Not in the catalogue of record types: bothering offices is no record the platform may hold."""
UNLISTED_ACTION = "caller_tone_warning"
"""Not on the list of measures: a shaming ring tone is no measure the law allows."""


def scheme_text(
    *, name: str = "city", purpose: str = "operation", record_type: str = GOOD_TYPE, action: str = GOOD_ACTION
) -> str:
    """The YAML of a small scheme, with the record type its point rule reads and the action its measure names."""
    return TEMPLATE.format(name=name, purpose=purpose, record_type=record_type, action=action)


def scheme(**kw: str) -> Scheme:
    """The scheme of :func:`scheme_text`, validated but not audited (as a scheme built in code would be)."""
    return parse_scheme(scheme_text(**kw), "city.yaml")[0]
