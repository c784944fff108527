"""Engine results as DataFrames for ``st.dataframe``: formatting only, no computation.

Dataframes show every cell as plain text, so user text (column names) is safe in them. (The small
tables of layers and tensors are Markdown, in ``ui.layer_tables``, so that the Model page opens
without pandas.)
"""

from __future__ import annotations

import pandas as pd

from lstm_core.forecast.verdict import skill_words
from lstm_core.model import ModelSpec, format_layers

# A baseline's row label in the yardstick table.
BASELINE_LABELS = {
    "naive": "naive: the last value, repeated",
    "seasonal_naive": "seasonal naive: one season earlier",
    "mean": "mean of the training split",
}


def number(value) -> str:
    """A metric for ``st.metric``: four significant digits, or "n/a" (an empty test split)."""
    return "n/a" if value is None else f"{value:.4g}"


def percent(value) -> str:
    """A share as a whole percentage ("93 %"), or "n/a"."""
    return "n/a" if value is None else f"{value:.0%}".replace("%", " %")


def yardstick_table(scores: dict, season_note: str) -> pd.DataFrame:
    """One target's model score above each baseline's, with the skill against each in words.

    Args:
        scores: one target's entry of ``test_metrics["per_target"]``.
        season_note: why there is no seasonal naive, when there is none.
    """
    rows = [{"forecast": "this model", "RMSE": scores["rmse"], "MAE": scores["mae"], "model": ""}]
    for name, errors in scores.get("baselines", {}).items():
        label = BASELINE_LABELS[name]
        if errors is None:
            rows.append({"forecast": f"{label} ({season_note})", "RMSE": None, "MAE": None})
            continue
        if name == "seasonal_naive":
            label = f"seasonal naive: {errors['period']} rows earlier"
        rows.append(
            {
                "forecast": label,
                "RMSE": errors["rmse"],
                "MAE": errors["mae"],
                "model": (skill_words(errors.get("skill"), name) or "").split(" than ")[0],
            }
        )
    return pd.DataFrame(rows).rename(columns={"model": "the model is"})


def per_step_table(scores: dict) -> pd.DataFrame:
    """One target's test error per step ahead, beside naive's."""
    return pd.DataFrame(
        [
            {
                "step": f"t+{step['step']}",
                "RMSE": step["rmse"],
                "naive RMSE": step["naive_rmse"],
                "skill vs naive": step["skill_vs_naive"],
            }
            for step in scores["per_step"]
        ]
    )


def confusion_table(metrics: dict) -> pd.DataFrame:
    """The confusion matrix: rows are true classes, columns predicted ones."""
    names = [str(name) for name in metrics["class_names"]]
    return pd.DataFrame(
        metrics["confusion"],
        index=pd.Index([f"true {n}" for n in names]),
        columns=[f"predicted {n}" for n in names],
    )


def download_label(file_name: str) -> str:
    """A download button's label for one of ``RunStore.export_files``' files."""
    if file_name.endswith(".keras"):
        return "Download the model (.keras)"
    if file_name.endswith("_history.csv"):
        return "Download the history (CSV)"
    return "Download the config (JSON)"


def runs_table(runs) -> pd.DataFrame:
    """Stored runs (``RunStore.get_run`` results), one row each: settings and final metrics."""
    records = []
    for run in runs:
        last = run.history.iloc[-1] if len(run.history) else {}
        metrics = run.test_metrics or {}
        records.append(
            {
                "run": run.run_id,
                "created": pd.Timestamp(run.created_at, unit="s", tz="UTC").strftime(
                    "%Y-%m-%d %H:%M"
                ),
                "status": run.status,
                "dataset": run.dataset.get("name", ""),
                "layers": format_layers(ModelSpec.from_dict(run.model_spec).layers),
                "epochs": len(run.history),
                "batch": run.train_config.get("batch_size"),
                "learning rate": run.train_config.get("learning_rate"),
                "loss": last.get("loss"),
                "val_loss": last.get("val_loss"),
                "test RMSE": metrics.get("rmse"),
                "test MAE": metrics.get("mae"),
                "test accuracy": metrics.get("accuracy"),
            }
        )
    return pd.DataFrame(records).dropna(axis="columns", how="all")
