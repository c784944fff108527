"""Whether a result is good, in words: one sentence, and the warnings a forecaster expects.

The sentence puts the score beside its yardstick and says the difference ("Test RMSE 2.24:
13 % better than repeating the last value (2.57)"). The warnings each carry their fix:

- ``out_of_range``: test targets outside the training range the scaler was fitted on; a
  recurrent network saturates there and rarely extrapolates a trend;
- ``flat``: predictions that barely vary, the sign of a model that learned only the mean;
- ``loses``: a model worse than its naive yardstick (or, for classes, the majority class).

Everything reads ``lstm_core.forecast.scores``' dicts, so a stored run's verdict can be told
again; runs stored before the yardsticks existed get none.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# How a baseline reads in a sentence.
YARDSTICK_WORDS = {
    "naive": "repeating the last value",
    "seasonal_naive": "repeating the value one season earlier",
    "mean": "predicting the training mean",
    "majority": "always predicting the most common class",
}
OUT_OF_RANGE_SHARE = 0.05  # warn when more than this share of test targets leave the range
FLAT_SPREAD = 0.1  # warn when predictions vary less than this share of the truth's spread


@dataclass(frozen=True)
class ForecastWarning:
    """One thing a forecaster would want to know about a result, and what to do about it."""

    kind: str  # "out_of_range" | "flat" | "loses"
    text: str  # what was found, with its numbers
    fix: str  # what to change


def skill_words(skill: float | None, yardstick: str) -> str | None:
    """``"22 % better than repeating the last value"``, or ``"... worse than ..."``."""
    if skill is None:
        return None
    words = YARDSTICK_WORDS[yardstick]
    if round(skill * 100) == 0:
        return f"as good as {words}"
    better = "better" if skill > 0 else "worse"
    return f"{abs(skill):.0%} {better} than {words}".replace("%", " %", 1)


def verdict(test_metrics: dict | None) -> str | None:
    """One sentence on a finished run: its score, its yardsticks and the difference.

    ``None`` for a run without test metrics, an empty test split, or a run stored before
    the yardsticks existed.
    """
    if not test_metrics:
        return None
    if "accuracy" in test_metrics:
        return _classification_verdict(test_metrics)
    per_target = test_metrics.get("per_target") or {}
    parts = [
        _target_verdict(name, scores, several=len(per_target) > 1)
        for name, scores in per_target.items()
    ]
    parts = [part for part in parts if part]
    return "; ".join(parts) + "." if parts else None


def range_warnings(windows) -> list[ForecastWarning]:
    """Test targets outside the training range the target scaler was fitted on, per target.

    Args:
        windows: ``lstm_core.data.Windows`` of a series: ``y_*`` is `(samples, horizon *
            targets)`, scaled (changes when differenced).

    This needs no model: the Train page shows it before Start.
    """
    found = []
    targets = len(windows.target_names)
    train = windows.y_train.reshape(-1, targets)  # (samples * horizon, targets), scaled
    test = windows.y_test.reshape(-1, targets)
    if not len(train) or not len(test):
        return found
    low, high = train.min(axis=0), train.max(axis=0)  # (targets,)
    outside = ((test < low) | (test > high)).mean(axis=0)  # (targets,) share of test targets
    bounds = windows.target_scaler.inverse(np.stack([low, high]))  # (2, targets), data units
    what = "changes" if windows.history is not None and windows.history.differenced else "values"
    for index, name in enumerate(windows.target_names):
        if outside[index] > OUT_OF_RANGE_SHARE:
            found.append(
                ForecastWarning(
                    "out_of_range",
                    f"{outside[index]:.0%} of the test targets of {name!r} lie outside the "
                    f"range of the training {what}, {bounds[0, index]:.4g} to "
                    f"{bounds[1, index]:.4g}, that the scaler was fitted on; a recurrent "
                    "network saturates outside it and rarely extrapolates a trend.",
                    "Difference the series (predict the change from the last value), or use "
                    "the standard scaler, or a test split that stays in the training range.",
                )
            )
    return found


def result_warnings(
    test_metrics: dict,
    y_true: np.ndarray,
    y_pred: np.ndarray,
    target_names: tuple[str, ...],
    horizon: int,
) -> list[ForecastWarning]:
    """Flat predictions and a model that loses to its yardstick.

    Args:
        test_metrics: the run's ``lstm_core.forecast.scores`` dict.
        y_true: `(samples, horizon * targets)` in data units (classification: `(samples, 1)`).
        y_pred: same shape as ``y_true``.
        target_names: the targets, in the order they repeat within a step.
        horizon: future steps per window.
    """
    if "accuracy" in test_metrics:
        return _classification_warnings(test_metrics)
    found = []
    targets = len(target_names)
    truth = y_true.reshape(len(y_true), horizon, targets)  # (samples, horizon, targets)
    pred = y_pred.reshape(len(y_pred), horizon, targets)
    for index, name in enumerate(target_names):
        spread, true_spread = float(pred[:, :, index].std()), float(truth[:, :, index].std())
        if len(truth) > 1 and true_spread > 0 and spread < FLAT_SPREAD * true_spread:
            found.append(
                ForecastWarning(
                    "flat",
                    f"The predictions of {name!r} barely vary (standard deviation "
                    f"{spread:.3g} against the truth's {true_spread:.3g}): the model predicts "
                    "about the same value for every window.",
                    "Train for more epochs or with a larger learning rate; check that the test "
                    "targets stay in the training range; try a shorter lookback.",
                )
            )
        skill = test_metrics["per_target"][name].get("skill_vs_naive")
        if skill is not None and skill < 0:
            found.append(
                ForecastWarning(
                    "loses",
                    f"On {name!r} the model is {skill_words(skill, 'naive')} "
                    f"(RMSE {test_metrics['per_target'][name]['rmse']:.4g} against "
                    f"{test_metrics['per_target'][name]['baselines']['naive']['rmse']:.4g}).",
                    "Train longer or with early stopping; try the standard scaler or "
                    "differencing, a lookback of a full season; a series that wanders like a "
                    "random walk may hold little more than its last value.",
                )
            )
    return found


def _target_verdict(name: str, scores: dict, several: bool) -> str | None:
    baselines = scores.get("baselines")
    if scores.get("rmse") is None or not baselines:
        return None
    head = f"{name}: test RMSE" if several else "Test RMSE"
    compared = []
    for key in ("naive", "seasonal_naive"):
        baseline = baselines.get(key)
        if baseline is None or baseline.get("skill") is None:
            continue
        words = skill_words(baseline["skill"], key)
        if key == "seasonal_naive":
            words = words.replace(
                "one season earlier", f"one season ({baseline['period']} rows) earlier"
            )
        compared.append(f"{words} ({baseline['rmse']:.3g})")
    return f"{head} {scores['rmse']:.3g}: " + " and ".join(compared)


def _classification_verdict(test_metrics: dict) -> str | None:
    majority = (test_metrics.get("baselines") or {}).get("majority")
    accuracy = test_metrics.get("accuracy")
    if accuracy is None or majority is None:
        return None
    points = (accuracy - majority["accuracy"]) * 100
    side = "above" if points >= 0 else "below"
    return (
        f"Test accuracy {accuracy:.0%}: {abs(points):.0f} points {side} "
        f"{YARDSTICK_WORDS['majority']}, {majority['class']!r} ({majority['accuracy']:.0%})."
    ).replace("%", " %")


def _classification_warnings(test_metrics: dict) -> list[ForecastWarning]:
    majority = (test_metrics.get("baselines") or {}).get("majority")
    accuracy = test_metrics.get("accuracy")
    if accuracy is None or majority is None or accuracy > majority["accuracy"]:
        return []
    return [
        ForecastWarning(
            "loses",
            f"Accuracy {accuracy:.0%} is no better than {YARDSTICK_WORDS['majority']} "
            f"({majority['accuracy']:.0%}).".replace("%", " %"),
            "Train for more epochs, check the classes are balanced, or mask padded steps.",
        )
    ]
