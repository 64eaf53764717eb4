#!/usr/bin/env bash
# The shipped scorecard example, rebuilt from the German credit data: the scheme under src/socialcredit/schemes/
# and its report under docs/scorecard/german-credit/ (stability against 2,000 later applicants drawn as the demo
# lender's are). tests/scorecard/test_shipped_example.py checks that the
# shipped scheme is what this fit gives.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
OUT=${OUT:-src/socialcredit/schemes/german-credit.yaml}
REPORT=${REPORT:-docs/scorecard/german-credit}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$BIN/socialcredit" scorecard example "$work"
"$BIN/socialcredit" scorecard fit --data "$work/train.csv" --target default --id applicant \
    --protected sex_and_status,age,foreign_worker \
    --legal-basis "RC-BANK consumer credit scorecard, model documentation 2026.1 (fitted on the German credit data)" \
    --name german-credit --version 2026.1 --effective-from 2026-01-01 --jurisdiction 371082 \
    --title "Consumer credit scorecard of the demo lender (fitted on the German credit data)" \
    --range 350:950 --bands Approve:650,Refer:600,Decline \
    --report "$REPORT" --compare "$work/later.csv" --out "$OUT" "$@"
