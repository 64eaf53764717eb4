"""A lab scenario: the synthetic city, the years it runs, the schemes and how people behave, as a YAML document.

Read like a scheme: every error names the file, the line and the dotted field. Every rate is per month unless
its name says otherwise, and every one is a model's assumption, not a published figure; the figures the default
scenario is calibrated to are in :mod:`socialcredit.lab.calibration`.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path

from pydantic import Field, ValidationError, model_validator

from socialcredit.errors import Problem, ScenarioError
from socialcredit.scheme.conditions import StrictModel
from socialcredit.yaml_documents import parse_document, validation_problems


class Region(StrictModel):
    """A part of the city: its share of residents and the share of those with an urban household registration."""

    name: str = Field(min_length=1, max_length=60)
    share: float = Field(gt=0.0, le=1.0)
    urban_share: float = Field(ge=0.0, le=1.0)


class PopulationSpec(StrictModel):
    """Who lives in the city."""

    residents: int = Field(ge=10, le=2_000_000)
    organizations: int | None = Field(default=None, ge=0, le=100_000, description="3 per 100 residents if not given")
    division: str = Field(default="371082", pattern=r"^\d{6}$")
    regions: list[Region] = Field(min_length=1)
    employed_share: float = Field(default=0.7, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _shares(self) -> PopulationSpec:
        total = sum(r.share for r in self.regions)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the regions' shares add up to {total:g}, not 1")
        names = [r.name for r in self.regions]
        if len(set(names)) != len(names):
            raise ValueError("two regions have the same name")
        return self


class IncomeSpec(StrictModel):
    """The share of low and of high incomes, by household registration (the rest are middle)."""

    low_urban: float = Field(default=0.25, ge=0.0, le=1.0)
    low_rural: float = Field(default=0.5, ge=0.0, le=1.0)
    high_urban: float = Field(default=0.2, ge=0.0, le=1.0)
    high_rural: float = Field(default=0.08, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _fits(self) -> IncomeSpec:
        if self.low_urban + self.high_urban > 1 or self.low_rural + self.high_rural > 1:
            raise ValueError("low and high incomes together are more than everyone")
        return self


class DebtSpec(StrictModel):
    """Money trouble, judgments and the list of dishonest judgment debtors."""

    trouble_per_month: dict[str, float] = Field(
        default_factory=lambda: {"low": 0.006, "middle": 0.003, "high": 0.0012},
        description="chance a person out of trouble falls into it, by income band",
    )
    recovery_per_month: float = Field(default=0.06, ge=0.0, le=1.0)
    arrears_per_month: float = Field(default=0.5, ge=0.0, le=1.0, description="in trouble: a month in arrears")
    judgment_per_month: float = Field(default=0.006, ge=0.0, le=1.0, description="in trouble: sued and judged")
    paid_per_month: float = Field(default=0.12, ge=0.0, le=1.0, description="judged, not listed: pays")
    listed_after_months: int = Field(default=3, ge=1, le=36)
    listing_per_month: float = Field(default=0.25, ge=0.0, le=1.0, description="unpaid past that: listed")
    performed_per_month: float = Field(default=0.005, ge=0.0, le=1.0, description="listed: performs")
    organization_listing_per_month: float = Field(default=0.0006, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _bands(self) -> DebtSpec:
        if set(self.trouble_per_month) != {"low", "middle", "high"}:
            raise ValueError("trouble_per_month needs exactly the bands low, middle and high")
        if any(not 0 <= v <= 1 for v in self.trouble_per_month.values()):
            raise ValueError("trouble_per_month holds chances between 0 and 1")
        return self


class ConductSpec(StrictModel):
    """Everyday conduct the schemes score, per person and year."""

    driver_share: float = Field(default=0.55, ge=0.0, le=1.0)
    tickets_per_driver_year: float = Field(default=0.45, ge=0.0, le=50.0)
    drunk_driving_per_driver_year: float = Field(default=0.0012, ge=0.0, le=1.0)
    volunteer_share: float = Field(default=0.15, ge=0.0, le=1.0)
    volunteering_per_volunteer_year: float = Field(default=2.0, ge=0.0, le=52.0)
    donor_share: float = Field(default=0.06, ge=0.0, le=1.0)
    donations_per_donor_year: float = Field(default=1.2, ge=0.0, le=26.0)
    late_fees_per_year: float = Field(default=0.02, ge=0.0, le=12.0)


class ProtectedSpec(StrictModel):
    """Protected activity that operation never scores, for lab schemes that would: petitioning (信访)."""

    petitions_per_adult_year: float = Field(default=0.0, ge=0.0, le=12.0)
    chilling: float = Field(
        default=0.5, ge=0.0, le=1.0, description="how much less people petition while a scheme in the run marks it down"
    )


class DeterrenceSpec(StrictModel):
    """A person whose score is within ``margin`` points of the band below commits fewer minor offences."""

    margin: int = Field(default=20, ge=0, le=1000)
    reduction: float = Field(default=0.5, ge=0.0, le=1.0)


class ErrorSpec(StrictModel):
    """Data errors, which the simulation knows as errors and the platform does not."""

    mistyped_id: float = Field(
        default=0.008, ge=0.0, le=1.0, description="share of adverse records filed against the wrong person"
    )
    stale_exit: float = Field(
        default=0.1, ge=0.0, le=1.0, description="share of performances whose exit record is never sent"
    )


class ObjectionSpec(StrictModel):
    """Who objects, and the reviewers who decide."""

    when_wronged_per_month: float = Field(default=0.35, ge=0.0, le=1.0)
    when_rightly_per_month: float = Field(default=0.02, ge=0.0, le=1.0)
    reviewers_per_month: int = Field(default=40, ge=0, le=1_000_000, description="objections decided a month")
    reviewer_accuracy: float = Field(default=0.9, ge=0.0, le=1.0, description="an error objected to is found")


class Scenario(StrictModel):
    """One scenario."""

    scenario: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    title: str = Field(min_length=1, max_length=200)
    seed: int = Field(ge=0, le=2**63 - 1)
    start: date = date(2021, 1, 1)
    years: int = Field(ge=1, le=30)
    burn_in_years: int = Field(
        default=3, ge=0, le=20, description="simulated before start, unscored, so that lists are not empty at start"
    )
    population: PopulationSpec
    schemes: list[str] = Field(min_length=1, max_length=8)
    income: IncomeSpec = IncomeSpec()
    conduct: ConductSpec = ConductSpec()
    debt: DebtSpec = DebtSpec()
    deterrence: DeterrenceSpec = DeterrenceSpec()
    protected: ProtectedSpec = ProtectedSpec()
    errors: ErrorSpec = ErrorSpec()
    objections: ObjectionSpec = ObjectionSpec()

    @model_validator(mode="after")
    def _start(self) -> Scenario:
        if self.start.day != 1:
            raise ValueError("start must be the first day of a month")
        if len(set(self.schemes)) != len(self.schemes):
            raise ValueError("a scheme is named twice")
        return self

    @property
    def months(self) -> int:
        """How many monthly steps are reported."""
        return 12 * self.years

    @property
    def first_month(self) -> date:
        """The first simulated month (the burn-in's first)."""
        return date(self.start.year - self.burn_in_years, self.start.month, 1)


def parse_scenario(text: str, source: str = "<scenario>") -> Scenario:
    """The scenario in ``text``; a :class:`ScenarioError` naming line and field if it is not one."""
    data, lines = parse_document(text, source, what="scenario", error=ScenarioError)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(validation_problems(exc, source, lines)) from None


def load_scenario(path: Path) -> Scenario:
    """The scenario file at ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([Problem(file=str(path), reason=f"cannot read scenario: {exc}")]) from exc
    return parse_scenario(text, str(path))


def shipped_scenario_text(name: str = "rongcheng-default") -> str:
    """A shipped scenario's YAML text."""
    return (resources.files("socialcredit.lab") / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")
