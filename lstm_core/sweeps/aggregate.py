"""What a sweep says: per swept value, the median and interquartile range over seeds.

A single seed can make a cell look solved or hopeless; the median over seeds is what a curve
should show, and the interquartile range (25th to 75th percentile) how far to trust it. The
figures are the final validation loss, its skill against the remember-nothing baseline
(``1 - val_loss / baseline``: 0 is no better than guessing the mean, 1 is perfect; for a
training sweep on the user's data, the test split's skill against the naive forecast,
``1 - rmse / rmse_naive``, or against the majority class for labels), the share
of sequences solved (adding problem, |error| < 0.04) and the gradient reach after training
(``lstm_core.experiments.gradients.gradient_reach``), each where the trials report it.

The breaking length of a cell is the longest sequence length at which its median validation
MSE on the adding problem is below ``SOLVED_LOSS`` (Le, Jaitly & Hinton 2015; Arjovsky, Shah &
Bengio 2016 read their curves the same way).
"""

from __future__ import annotations

import numpy as np

SOLVED_LOSS = 0.05  # median validation MSE below which a length counts as solved
FIGURES = ("val_loss", "skill", "solved", "reach_after")


def aggregate(trials: list[dict]) -> list[dict]:
    """Median and IQR over seeds of every figure, one row per point of the axes.

    Args:
        trials: ``TrialState.to_dict()`` rows (``"settings"`` with ``"seed"``, ``"status"``,
            ``"val_loss"``, ``"baseline"``, ``"solved"``, ``"reach_after"``); only finished
            trials count.

    Returns:
        One dict per point, in the order the points first appear: its settings (without the
        seed), ``"seeds"`` (finished trials), and for each figure ``<figure>_median``,
        ``<figure>_q25``, ``<figure>_q75`` (None when no trial reports it).
    """
    groups: dict[tuple, list[dict]] = {}
    for trial in trials:
        point = {name: value for name, value in trial["settings"].items() if name != "seed"}
        groups.setdefault(tuple(point.items()), [])
        if trial["status"] == "finished":
            groups[tuple(point.items())].append(trial)
    rows = []
    for point, finished in groups.items():
        row = {**dict(point), "seeds": len(finished)}
        for figure in FIGURES:
            values = [v for v in (_figure(trial, figure) for trial in finished) if v is not None]
            quartiles = np.percentile(values, [25, 50, 75]) if values else (None, None, None)
            for name, value in zip(("q25", "median", "q75"), quartiles, strict=True):
                row[f"{figure}_{name}"] = None if value is None else float(value)
        rows.append(row)
    return rows


def breaking_lengths(rows: list[dict], threshold: float = SOLVED_LOSS) -> dict[str, int | None]:
    """The longest ``timesteps`` each kind solves (median ``val_loss`` below ``threshold``).

    Args:
        rows: ``aggregate``'s rows of a sweep over ``kind`` and ``timesteps``.

    Returns:
        kind -> the longest length solved, or None when it solves none of them.
    """
    longest: dict[str, int | None] = {}
    for row in rows:
        longest.setdefault(row["kind"], None)
        median = row["val_loss_median"]
        if median is not None and median < threshold:
            best = longest[row["kind"]]
            longest[row["kind"]] = row["timesteps"] if best is None else max(best, row["timesteps"])
    return longest


def _figure(trial: dict, figure: str) -> float | None:
    if figure == "skill" and trial.get("skill") is not None:  # a training trial's, on test
        return float(trial["skill"])
    if figure == "skill":
        if trial.get("val_loss") is None or not trial.get("baseline"):
            return None
        return 1.0 - trial["val_loss"] / trial["baseline"]
    value = trial.get(figure)
    return None if value is None else float(value)
