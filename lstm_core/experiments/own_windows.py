"""The user's own windows as an ablation task: train a cell kind on them, score it beside naive.

The adding and copy tasks ask whether a cell can remember; the user's windows (what the Data
page cut, ``lstm_core.data.Windows``) ask which cell forecasts *this* data. Every variant trains
on exactly the same arrays with the comparison's loop (``lstm_core.experiments.compare``), one
recurrent layer under the head the windows need (regression or classification, masking for
padded sequences), with the loss the Train page uses by default. A validation loss in scaled
units has no input-blind yardstick, so the test split is scored in the data's units beside its
baselines (``lstm_core.forecast.scores``): RMSE beside the naive forecast's, or accuracy beside
the majority class's (Darts and statsforecast put the naive forecast first for the same reason).
The adding problem's share solved has no meaning here and is not computed, nor is the
gradient reach on padded sequences (``reach_applies``).
"""

from __future__ import annotations

import dataclasses

from lstm_core.budget import check_memory, estimate_memory
from lstm_core.cells import CELLS
from lstm_core.errors import ConfigError
from lstm_core.experiments.compare import CellResult, train_model
from lstm_core.experiments.config import CompareConfig
from lstm_core.forecast.scores import score_test_split
from lstm_core.model.outputs import outputs
from lstm_core.model.spec import LayerSpec, ModelSpec
from lstm_core.settings import Limits, load_limits
from lstm_core.train.config import resolve_loss

OWNER = "AblationConfig"


def windows_model_spec(kind: str, units: int, forget_bias: str, windows) -> ModelSpec:
    """One ``kind`` layer of ``units`` under the head ``windows`` needs.

    Returns:
        A ``ModelSpec`` reading ``(batch, timesteps, features)`` of ``windows``, with
        ``windows.n_outputs`` outputs and the windows' mask value.
    """
    forget_bias = forget_bias if CELLS[kind].forget_bias else "one"  # an LSTM option
    return ModelSpec.for_windows((LayerSpec(kind, units, forget_bias=forget_bias),), windows)


def check_windows(windows, config, limits: Limits | None = None):
    """Check that ``windows`` can hold an ablation of ``config`` (an ``AblationConfig``).

    Returns:
        ``windows``.

    Raises:
        ConfigError: no windows, an empty training or validation split, or a variant too big
            for the memory budget; each with its fix.
    """
    if windows is None:
        raise ConfigError(
            f"{OWNER} task='windows' needs the Data page's windows, got none; pick a sample "
            "or upload a CSV on the Data page first, or choose the adding or copy task."
        )
    for split in ("train", "val"):
        if len(getattr(windows, f"x_{split}")) == 0:
            raise ConfigError(
                f"{OWNER} task='windows' needs windows in the {split} split to compare the "
                f"variants' losses, got 0; use more rows, a shorter lookback or a larger "
                f"{'validation' if split == 'val' else 'training'} fraction on the Data page."
            )
    limits = limits or load_limits()
    samples = len(windows.x_train) + len(windows.x_val)
    run = config.compare
    for kind in config.variants:
        spec = windows_model_spec(kind, run.units, run.forget_bias, windows)
        memory = estimate_memory(spec, windows.timesteps, windows.features, run.batch_size, samples)
        check_memory(memory, limits)
    return windows


def reach_applies(windows) -> bool:
    """Whether the gradient reach (``dL/dh`` at the first step over the last) means anything
    on ``windows``: not on padded sequences, whose first steps are padding for every sequence
    but the longest (masked steps keep the state, so no gradient reaches them)."""
    return windows.mask_value is None


def windows_data(windows) -> tuple:
    """``(x_train, y_train, x_val, y_val)`` of ``windows``: the arrays every variant trains on,
    ``x`` of shape ``(samples, timesteps, features)``."""
    return windows.x_train, windows.y_train, windows.x_val, windows.y_val


def train_on_windows(
    config: CompareConfig, kind: str, windows, on_epoch, should_stop
) -> tuple[CellResult, dict]:
    """Train one ``kind`` on ``windows`` with ``config``'s seed and budget, then score it.

    Args:
        config: the training settings (``train_model`` says which it reads) and ``units``
            and ``forget_bias``; its task and data sizes are not read.
        kind: a key of ``lstm_core.cells.CELLS``.
        windows: a ``lstm_core.data.Windows`` with training and validation windows.
        on_epoch: called as ``on_epoch(kind, epoch, val_loss)`` after every epoch.
        should_stop: polled after every epoch; True stops training after it.

    Returns:
        ``(CellResult, test)``: the losses and gradient profiles, and ``headline`` of the
        test split's scores.
    """
    from lstm_core.model import build_model

    if not reach_applies(windows):
        config = dataclasses.replace(config, profile_epochs=())  # no profile: no reach
    spec = windows_model_spec(kind, config.units, config.forget_bias, windows)
    result, model = train_model(
        config,
        kind,
        lambda: build_model(spec, windows.timesteps, windows.features, seed=config.seed),
        resolve_loss("auto", windows.task),
        windows_data(windows),
        on_epoch,
        should_stop,
    )
    predicted = outputs(model, windows.x_test) if len(windows.x_test) else None
    if predicted is None:
        return result, headline(None)
    test_metrics, _, _ = score_test_split(windows, predicted)  # (samples, outputs) scored
    return result, headline(test_metrics)


def headline(test_metrics: dict | None) -> dict:
    """The one test score a table row shows, beside its yardstick.

    Args:
        test_metrics: ``lstm_core.forecast.scores``' dict, or None for an empty test split.

    Returns:
        ``{"metric", "score", "yardstick", "yardstick_score", "skill"}``: the test RMSE of
        the first target in the data's units beside the naive forecast's and the skill
        ``1 - rmse / rmse_naive``; for classes the accuracy beside the majority class's. A
        number that cannot be told (no test windows; long-format sequences have no naive
        forecast) is None.
    """
    if test_metrics is None:
        return {"metric": None, "score": None, "yardstick": None, "yardstick_score": None,
                "skill": None}  # fmt: skip
    if "accuracy" in test_metrics:
        return {
            "metric": "accuracy",
            "score": test_metrics["accuracy"],
            "yardstick": "majority",
            "yardstick_score": test_metrics["baselines"]["majority"]["accuracy"],
            "skill": test_metrics["skill_vs_majority"],
        }
    name, scores = next(iter(test_metrics["per_target"].items()))  # several: the first
    naive = (scores.get("baselines") or {}).get("naive")
    return {
        "metric": f"RMSE of {name}",
        "score": scores["rmse"],
        "yardstick": "naive" if naive else None,
        "yardstick_score": naive["rmse"] if naive else None,
        "skill": scores.get("skill_vs_naive"),
    }
