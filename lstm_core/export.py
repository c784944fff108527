"""Hand a model's states to other tools: ``.npz`` for chosen samples, CSV for one sample and layer.

Keys and columns are named by layer and tensor, as the dashboard names them: ``layer_1/output``,
``layer_1/h``, ``layer_1/c`` for what Keras returned, ``layer_1/trace/f`` for a per-step trace;
a CSV has one row per step and columns ``h_0 .. h_{units-1}``, ``c_0 ..``, then the gates.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from lstm_core.cells import OUTPUT_STATE
from lstm_core.errors import DataError
from lstm_core.inspect import LayerReturn, LayerTrace


def states_npz(
    returns: list[LayerReturn],
    traces: list[LayerTrace] = (),
    samples=None,
    x=None,
    path: str | Path | None = None,
) -> bytes:
    """Pack returned tensors and traces of the chosen samples into a compressed ``.npz``.

    Args:
        returns: from ``lstm_core.inspect.returned_tensors``.
        traces: from ``lstm_core.inspect.trace``, for the same batch.
        samples: indices into the batch to keep; ``None`` keeps all.
        x: optional model input ``(batch, timesteps, features)``, stored as ``x``.
        path: optional file to write the bytes to as well.

    Returns:
        The ``.npz`` file's bytes (for a download button). ``np.load`` gives ``samples``
        ``(n,)``, ``x``, ``layer_k/output``, ``layer_k/h``, ``layer_k/c`` as returned
        (``(n, timesteps, units)`` or ``(n, units)``) and ``layer_k/trace/<name>``
        ``(n, timesteps, units)``.

    Raises:
        DataError: a sample index outside the batch.
    """
    arrays = {f"{r.name}/{name}": value for r in returns for name, value in r.tensors.items()}
    for t in traces:
        arrays.update({f"{t.name}/trace/{name}": value for name, value in t.steps.items()})
    if x is not None:
        arrays["x"] = np.asarray(x)
    batch = len(next(iter(arrays.values()))) if arrays else 0
    chosen = _check_samples(samples, batch)
    arrays = {key: value[chosen] for key, value in arrays.items()}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, samples=chosen, **arrays)
    data = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(data)
    return data


def trace_csv(trace: LayerTrace, sample: int = 0) -> bytes:
    """One sample's trace of one layer as CSV: a row per step, a column per unit and tensor.

    Args:
        trace: a ``LayerTrace`` with arrays ``(batch, timesteps, units)``.
        sample: the index of the sample in the batch.

    Returns:
        UTF-8 CSV bytes with columns ``step``, ``input_step`` (which input step was read;
        it differs with ``go_backwards``), then ``<name>_<unit>`` for every tensor of the
        trace (``h_0 .. h_{units-1}``, ``c_0 ..``, ``i_0 ..``, ...).

    Raises:
        DataError: a sample index outside the batch.
    """
    batch, timesteps, units = trace.steps[OUTPUT_STATE].shape
    (sample,) = _check_samples([sample], batch)
    header = ["step", "input_step"] + [f"{name}_{u}" for name in trace.steps for u in range(units)]
    values = np.concatenate([trace.steps[name][sample] for name in trace.steps], axis=1)  # (T, n*U)
    table = np.column_stack([np.arange(timesteps), trace.input_steps, values])
    buffer = io.StringIO()
    fmt = ["%d", "%d"] + ["%.9g"] * values.shape[1]  # 9 digits round-trip a float32
    np.savetxt(buffer, table, fmt=fmt, delimiter=",", header=",".join(header), comments="")
    return buffer.getvalue().encode("utf-8")


def _check_samples(samples, batch: int) -> np.ndarray:
    chosen = np.arange(batch) if samples is None else np.asarray(samples).reshape(-1)
    if chosen.dtype.kind not in "iu" or ((chosen < 0) | (chosen >= batch)).any():
        raise DataError(
            f"samples must be indices from 0 to {batch - 1} of the batch, got "
            f"{np.asarray(samples).tolist()}; choose samples within the batch."
        )
    return chosen
