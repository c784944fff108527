"""Engine results as DataFrames for ``st.dataframe``: formatting only, no computation.

Dataframes show every cell as plain text, so user text (column names) is safe in them. (The small
tables of layers and tensors are Markdown, in ``ui.layer_tables``, so that the Model page opens
without pandas.)
"""

from __future__ import annotations

import pandas as pd

from lstm_core.model import ModelSpec, format_layers


def number(value) -> str:
    """A metric for ``st.metric``: four significant digits, or "n/a" (an empty test split)."""
    return "n/a" if value is None else f"{value:.4g}"


def output_name(index: int, windows) -> str:
    """The name of column ``index`` of y: targets repeat within each of ``horizon`` steps."""
    targets = windows.target_names
    step = index // len(targets) + 1
    return f"{targets[index % len(targets)]}, t+{step}"


def per_target_table(metrics: dict) -> pd.DataFrame:
    """RMSE and MAE per target column, in that column's units."""
    return pd.DataFrame(
        [
            {"target": name, "RMSE": errors["rmse"], "MAE": errors["mae"]}
            for name, errors in metrics["per_target"].items()
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
                **diagnosis_columns(run.diagnosis),
            }
        )
    return pd.DataFrame(records).dropna(axis="columns", how="all")


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


def diagnosis_columns(diagnosis: dict | None) -> dict:
    """The Runs table's columns from a run's diagnosis; blanks for a run stored without one."""
    if diagnosis is None:
        return {
            "flat": None,
            "gates saturated": None,
            "memory (steps)": None,
            "constant units": None,
        }
    layers = diagnosis["layers"]
    memories = [layer["memory_steps"] for layer in layers if layer["memory_steps"] is not None]
    return {
        "flat": "yes" if diagnosis["flat"] else "no",
        "gates saturated": max(layer["saturated"] for layer in layers),
        "memory (steps)": " / ".join(f"{m:.3g}" for m in memories) or None,
        "constant units": sum(len(layer["dead_units"]) for layer in layers),
    }
