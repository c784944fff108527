"""A stored run's test results, read back: which kind of result it is and each target's scores.

A run keeps ``test_metrics`` as the job wrote it (``lstm_core.forecast.scores``): a forecast's
scores beside its yardsticks, per target; a classification's accuracy and confusion counts;
or, for a sweep's trial on a generated task, the comparison's figures beside its baseline.
Runs stored before a key existed lack it; ``read_test_metrics`` says what is there, so the Runs
page and the CLI only draw it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredResults:
    """What a run's ``test_metrics`` hold, read for showing."""

    # "forecast", "classification", or "comparison": a task trial's figures beside its baseline
    kind: str
    metrics: dict  # the test_metrics as stored
    # forecast: target name -> that target's scores; one unnamed target, "", for a run stored
    # before scores were kept per target; empty for the other kinds
    per_target: dict
    yardsticks: bool  # forecast: whether the baselines were kept beside the scores
    season: str  # forecast: the seasonal yardstick's note, "none" when the run kept none


def read_test_metrics(test_metrics: dict | None) -> StoredResults | None:
    """``test_metrics`` of a stored run, read; ``None`` when there are none (it did not finish)."""
    if not test_metrics:
        return None
    if "baseline" in test_metrics:
        return StoredResults("comparison", test_metrics, {}, False, "none")
    if "accuracy" in test_metrics:
        return StoredResults("classification", test_metrics, {}, False, "none")
    per_target = test_metrics.get("per_target") or {"": test_metrics}
    yardsticks = any("baselines" in scores for scores in per_target.values())
    season = test_metrics.get("season", {}).get("note", "none")
    return StoredResults("forecast", test_metrics, per_target, yardsticks, season)
