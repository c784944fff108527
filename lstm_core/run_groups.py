"""Which stored runs can be compared: the same data, windowed the same way.

A loss is measured on scaled targets, and a test score in the targets' units: two runs' curves
and scores mean the same only when both trained on the same dataset with the same targets,
scaler, differencing, horizon and missing-value policy. The Runs page overlays and ranks runs
within one such group, never across groups. The trials of a sweep (``lstm_core.sweeps``) form
one group of their own, whatever their settings: they were made to be read together.
"""

from __future__ import annotations

from collections.abc import Iterable

# WindowSpec fields that change what a loss or a test score measures.
COMPARABLE_FIELDS = ("targets", "scaler", "difference", "horizon", "missing", "target")


def comparable_key(run) -> tuple:
    """The dataset and windowing settings two runs must share to be compared; a sweep's id."""
    if getattr(run, "sweep_id", None):
        return ("sweep", run.sweep_id)
    spec = run.window_spec or {}
    fields = tuple((name, _hashable(spec.get(name))) for name in COMPARABLE_FIELDS)
    return (run.dataset.get("name", ""), fields)


def group_label(run) -> str:
    """A group's name for a person: ``"Airline passengers · Passengers · minmax"``, or
    ``"Sweep 0123abcd4567 · adding problem"``."""
    if getattr(run, "sweep_id", None):
        return f"Sweep {run.sweep_id} · {run.dataset.get('name') or 'unnamed data'}"
    spec = run.window_spec or {}
    targets = spec.get("targets") or ([spec["target"]] if spec.get("target") else [])
    parts = [run.dataset.get("name") or "unnamed data", ", ".join(targets) or "?"]
    if spec.get("scaler"):
        parts.append(spec["scaler"])
    if spec.get("difference"):
        parts.append("differenced")
    if (spec.get("horizon") or 1) > 1:
        parts.append(f"horizon {spec['horizon']}")
    if spec.get("missing") not in (None, "error"):
        parts.append(f"missing: {spec['missing']}")
    return " · ".join(str(part) for part in parts)


def group_of(runs: Iterable, run_id: str) -> str | None:
    """The label of the group ``group_runs`` puts run ``run_id`` in; ``None`` if it is not
    among ``runs``."""
    for label, members in group_runs(runs).items():
        if any(run.run_id == run_id for run in members):
            return label
    return None


def group_runs(runs: Iterable) -> dict[str, list]:
    """Runs grouped by ``comparable_key``, labelled by ``group_label``, in the runs' order.

    Two groups that read the same (different settings outside the label) get a number.
    """
    groups: dict[tuple, list] = {}
    for run in runs:
        groups.setdefault(comparable_key(run), []).append(run)
    labelled: dict[str, list] = {}
    for members in groups.values():
        label = group_label(members[0])
        if label in labelled:
            label = f"{label} ({len(labelled) + 1})"
        labelled[label] = members
    return labelled


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value
