"""Model-based scorecards: fitted from repayment outcomes, exported as ordinary published schemes.

A lender's labelled data (one row per applicant, a 0/1 outcome, 1 for a default) is read and checked
(:mod:`socialcredit.scorecard.training`), binned and fitted (:mod:`socialcredit.scorecard.fitting`: optimal
binning, a logistic regression on the weights of evidence, points scaled by points-to-double-the-odds), and
written as a scheme whose point rules are the bins, one factor per variable (:mod:`socialcredit.scorecard.export`).
The scheme is then scored, explained and audited by the project's own engines like any other. This package is the
shell around optbinning and scikit-learn; nothing in the scheme language or the engine imports it.
"""
