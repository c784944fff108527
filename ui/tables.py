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


def _created(run) -> str:
    return pd.Timestamp(run.created_at, unit="s", tz="UTC").strftime("%Y-%m-%d %H:%M")


def _last(run, column: str):
    return run.history[column].iloc[-1] if column in run.history and len(run.history) else None


def _single_target(run) -> dict:
    """The one target's scores of a run (several targets: none, their units differ; a run
    stored without ``per_target``: its top level)."""
    metrics = run.test_metrics or {}
    per_target = metrics.get("per_target")
    if per_target is None:
        return metrics
    return next(iter(per_target.values())) if len(per_target) == 1 else {}


def _naive(run, key: str):
    naive = (_single_target(run).get("baselines") or {}).get("naive") or {}
    return naive.get(key)


def _percent(value):
    return None if value is None else round(100 * value, 1)


def _metric(name: str):
    return lambda run: (run.test_metrics or {}).get(name)


def _majority_accuracy(run):
    majority = ((run.test_metrics or {}).get("baselines") or {}).get("majority") or {}
    return majority.get("accuracy")


def _diagnosed(run, read):
    """``read(run.diagnosis)``, or ``None`` for a run stored before diagnoses were kept."""
    return None if run.diagnosis is None else read(run.diagnosis)


def _memories(diagnosis: dict) -> str | None:
    """Each layer's memory length in steps, bottom first ("12 / 3.4"); SimpleRNNs have none."""
    memories = [layer["memory_steps"] for layer in diagnosis["layers"]]
    return " / ".join(f"{m:.3g}" for m in memories if m is not None) or None


# The Runs table's columns, in order: header -> the cell of one run. Diagnoses of other
# modules (gate saturation, ...) are more entries here.
RUN_COLUMNS = {
    "run": lambda run: run.run_id,
    "created": _created,
    "status": lambda run: run.status,
    "layers": lambda run: format_layers(ModelSpec.from_dict(run.model_spec).layers),
    "epochs": lambda run: len(run.history),
    "test RMSE": lambda run: _single_target(run).get("rmse"),
    "naive RMSE": lambda run: _naive(run, "rmse"),
    "skill vs naive %": lambda run: _percent(_single_target(run).get("skill_vs_naive")),
    "MASE": lambda run: _single_target(run).get("mase"),
    "accuracy": _metric("accuracy"),
    "majority accuracy": _majority_accuracy,
    "val_loss": lambda run: _last(run, "val_loss"),
    "flat": lambda run: _diagnosed(run, lambda d: "yes" if d["flat"] else "no"),
    "gates saturated": lambda run: _diagnosed(
        run, lambda d: max(layer["saturated"] for layer in d["layers"])
    ),
    "memory (steps)": lambda run: _diagnosed(run, _memories),
    "constant units": lambda run: _diagnosed(
        run, lambda d: sum(len(layer["dead_units"]) for layer in d["layers"])
    ),
}


def runs_table(runs) -> pd.DataFrame:
    """Stored runs (``RunStore.get_run`` results), one row each: ``RUN_COLUMNS``, leaving out
    columns no run has (runs stored before the yardsticks existed show blanks)."""
    records = [{name: cell(run) for name, cell in RUN_COLUMNS.items()} for run in runs]
    return pd.DataFrame(records, columns=list(RUN_COLUMNS)).dropna(axis="columns", how="all")


def settings_table(settings: dict | None) -> pd.DataFrame:
    """A stored spec or config dict as two columns, setting and value, for reading."""
    rows = [
        {
            "setting": name,
            "value": ", ".join(map(str, value)) if isinstance(value, list) else str(value),
        }
        for name, value in (settings or {}).items()
    ]
    return pd.DataFrame(rows, columns=["setting", "value"])


def rounded(values: dict) -> dict:
    """Numbers to four significant digits, for reading (timings in seconds)."""
    return {k: float(f"{v:.4g}") if isinstance(v, float) else v for k, v in values.items()}


def layers_table(model_spec: dict) -> pd.DataFrame:
    """A stored model's layers, one row each, bottom to top."""
    layers = ModelSpec.from_dict(model_spec).layers
    return pd.DataFrame(
        [
            {
                "layer": f"layer_{index}",
                "kind": layer.kind,
                "units": layer.units,
                "return_sequences": layer.return_sequences,
                "return_state": layer.return_state,
                "dropout": layer.dropout,
            }
            for index, layer in enumerate(layers, 1)
        ]
    )


def diagnosis_table(diagnosis: dict) -> pd.DataFrame:
    """A row per layer of ``lstm_core.inspect.diagnose``: saturated gates, memory, dead units."""
    rows = []
    for layer in diagnosis["layers"]:
        saturation = layer["saturation"]
        rows.append(
            {
                "layer": f"layer_{layer['layer']} ({layer['kind']}, {layer['units']} units)",
                "gates saturated": layer["saturated"] if saturation else None,
                **{
                    f"{gate} >0.95 / <0.05": f"{s['high']:.0%} / {s['low']:.0%}"
                    for gate, s in saturation.items()
                },
                "mean forget gate": layer["mean_forget"],
                "memory (steps)": layer["memory_steps"],
                "constant units": f"{len(layer['dead_units'])} of {layer['units']}",
            }
        )
    return pd.DataFrame(rows)
