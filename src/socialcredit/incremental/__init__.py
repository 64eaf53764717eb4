"""Daily re-scoring that costs what changed: a scheme's per-subject sums kept between runs, moved on by the
records that arrived and the lines whose window opened or closed since the last run."""
