"""What each recurrent layer of a built model returns, and every step's gates and states.

``returned_tensors`` calls the model's own Keras layers, so it shows exactly what Keras returns.
``trace`` runs the NumPy reference cells (``lstm_core.reference``) with the model's trained
weights, because Keras does not expose ``c_t`` or the gates at every step. Tests check that the
two agree: the trace's last ``h`` and ``c`` are the returned ``h`` and ``c``, and its ``h`` is
the returned output sequence. Both run in inference mode: no dropout.

A trace projects every step's input with one matrix product and loops only over the small
recurrent product, so a 128-unit, 500-step trace of one sample costs less than one
``model.predict`` on a batch of 64 (``benchmarks/bench_trace.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core import reference
from lstm_core.cells import CELLS, OUTPUT_STATE
from lstm_core.errors import DataError, SpecError
from lstm_core.model.build import layer_kind, recurrent_layers, run_stack
from lstm_core.model.spec import returned_names


@dataclass(frozen=True, eq=False)
class LayerReturn:
    """What one recurrent layer returned for a batch, as Keras returned it."""

    index: int  # position in the stack, 1 for the bottom layer
    name: str  # the Keras layer's name, "layer_1", ...
    kind: str  # "lstm", "gru" or "rnn"
    options: dict  # return_sequences, return_state and go_backwards, as the layer was built
    tensors: dict  # "output", then "h" and "c" when returned: arrays in Keras' order

    @property
    def shapes(self) -> dict[str, tuple[int, ...]]:
        return {name: array.shape for name, array in self.tensors.items()}


@dataclass(frozen=True, eq=False)
class LayerTrace:
    """One recurrent layer's states and gates at every step, each ``(batch, timesteps, units)``.

    Steps are in reading order: with ``go_backwards`` step ``t`` reads input step
    ``timesteps - 1 - t`` (see ``input_steps``), as in Keras' output sequence.
    """

    index: int  # position in the stack, 1 for the bottom layer
    name: str  # the Keras layer's name
    kind: str  # "lstm", "gru" or "rnn"
    go_backwards: bool  # whether the layer reads the sequence last step first
    steps: dict  # LSTM: h, c, i, f, g, o; GRU: h, z, r, candidate; SimpleRNN: h

    @property
    def input_steps(self) -> np.ndarray:
        """``(timesteps,)``: which input step each step of the trace read."""
        timesteps = self.steps[OUTPUT_STATE].shape[1]
        order = np.arange(timesteps)
        return order[::-1] if self.go_backwards else order


def returned_tensors(model, x, initial_state: dict | None = None) -> list[LayerReturn]:
    """Run ``x`` through the model's recurrent layers; collect what each Keras layer returns.

    Args:
        model: a model from ``build_model`` (or loaded from its ``.keras`` file).
        x: ``(batch, timesteps, features)``, as the model reads it.
        initial_state: optional ``{layer index: [h0] or [h0, c0]}``, each ``(batch, units)``,
            passed to that layer as Keras' ``initial_state``; other layers start from zeros.

    Returns:
        One ``LayerReturn`` per recurrent layer, bottom first. ``output`` is
        ``(batch, timesteps, units)`` with ``return_sequences`` and ``(batch, units)`` without;
        ``h`` and ``c`` are ``(batch, units)``.

    Raises:
        DataError: ``x`` or an initial state of the wrong shape.
    """
    x = check_x(model, x)
    layers = recurrent_layers(model)
    states = _check_initial_state(layers, initial_state, len(x))
    masking = _masking_layer(model)
    inputs = x if masking is None else masking(x)  # zeroes the masked steps, as in the model
    returns = run_stack(layers, inputs, states, mask=input_mask(model, x), training=False)
    result = []
    for index, (layer, returned) in enumerate(zip(layers, returns, strict=True), 1):
        names = returned_names(layer_kind(layer), layer.return_state)
        result.append(
            LayerReturn(
                index=index,
                name=layer.name,
                kind=layer_kind(layer),
                options={
                    "return_sequences": layer.return_sequences,
                    "return_state": layer.return_state,
                    "go_backwards": layer.go_backwards,
                },
                tensors={name: np.asarray(t) for name, t in zip(names, returned, strict=True)},
            )
        )
    return result


def trace(
    model, x, layer: int | None = None, initial_state: dict | None = None
) -> list[LayerTrace]:
    """Every step's states and gates of one recurrent layer, or of all, with trained weights.

    Args:
        model: a model from ``build_model``.
        x: ``(batch, timesteps, features)``.
        layer: the 1-based index of the layer to trace; ``None`` traces every layer. Layers
            below it are run too, since they make its input.
        initial_state: as in ``returned_tensors``.

    Returns:
        A list of ``LayerTrace``, bottom first: the one layer asked for, or all of them. Each
        array is ``(batch, timesteps, units)``.

    Raises:
        DataError: ``x``, ``layer`` or an initial state that does not fit the model.
    """
    x = check_x(model, x)
    count = len(recurrent_layers(model))
    last = count if layer is None else check_layer_index(layer, count)
    traces = [
        LayerTrace(index, rnn.name, layer_kind(rnn), rnn.go_backwards, steps)
        for index, rnn, _, steps in run_layers(model, x, last, initial_state)
    ]
    return traces if layer is None else traces[-1:]


def run_layers(model, x: np.ndarray, last: int, initial_state: dict | None):
    """Run the reference cells up the stack to layer ``last``, bottom first.

    Yields, per layer, ``(index, keras layer, inputs, steps)``: ``inputs`` is what the layer
    read, ``(batch, timesteps, width)`` in the input's order (masked steps zeroed, as Keras'
    ``Masking`` passes them on), and ``steps`` is the reference's dict of
    ``(batch, timesteps, units)`` arrays in reading order.
    """
    layers = recurrent_layers(model)
    states = _check_initial_state(layers, initial_state, len(x))
    mask = input_mask(model, x)  # (batch, timesteps), or None without a Masking layer
    inputs = x if mask is None else np.where(mask[..., None], x, 0.0)  # as Masking passes it on
    for index, rnn in enumerate(layers[:last], 1):
        steps = reference.forward(
            _traceable_kind(rnn),
            inputs,
            rnn.get_weights(),
            states.get(index),
            mask=mask,
            go_backwards=rnn.go_backwards,
        )
        yield index, rnn, inputs, steps
        # The next layer reads this output with the input's mask, unreversed, as in Keras.
        inputs = _output_sequence(steps[OUTPUT_STATE], mask, rnn.go_backwards)


INITIAL_STATES = ("zeros", "random", "value")  # how an initial state can be chosen


def initial_state_for(model, batch: int, how: str = "zeros", seed: int = 0) -> dict:
    """Initial states for every recurrent layer, to pass as ``initial_state``.

    Args:
        model: a model from ``build_model``.
        batch: samples in the batch the states are for.
        how: ``"zeros"`` (Keras' default) or ``"random"`` (uniform in [-1, 1], seeded).
        seed: the random seed.

    Returns:
        ``{layer index: [h0] or [h0, c0]}``, each ``(batch, units)`` float32.
    """
    if how not in ("zeros", "random"):
        raise DataError(f"how must be 'zeros' or 'random', got {how!r}.")
    rng = np.random.default_rng(seed)
    return {
        index: layer_initial_state(layer_kind(layer), layer.cell.units, batch, how, rng=rng)
        for index, layer in enumerate(recurrent_layers(model), 1)
    }


def layer_initial_state(
    kind: str, units: int, batch: int, how: str, value: float = 0.0, *, rng=None
) -> list[np.ndarray]:
    """One layer's initial states, one per state of its cell (``h0``, and ``c0`` for an LSTM).

    Args:
        kind: the cell kind (a key of ``lstm_core.cells.CELLS``).
        how: ``"zeros"``, ``"random"`` (uniform in [-1, 1] from ``rng``, default seed 0) or
            ``"value"`` (every unit set to ``value``).

    Returns:
        A list of ``(batch, units)`` float32 arrays, in Keras' state order.
    """
    if how not in INITIAL_STATES:
        raise DataError(f"how must be one of {INITIAL_STATES}, got {how!r}.")
    rng = rng if rng is not None else np.random.default_rng(0)
    shape = (batch, units)
    fill = 0.0 if how == "zeros" else value
    return [
        rng.uniform(-1.0, 1.0, shape).astype("float32")
        if how == "random"
        else np.full(shape, fill, "float32")
        for _ in CELLS[kind].states
    ]


def check_x(model, x) -> np.ndarray:
    x = np.asarray(x, dtype="float32")
    expected = tuple(model.input_shape[1:])  # (timesteps, features)
    if x.ndim != 3 or x.shape[1:] != expected:
        raise DataError(
            f"x must be (batch, {expected[0]}, {expected[1]}) = (batch, timesteps, features) "
            f"for this model, got shape {x.shape}; pass windows made with the model's lookback "
            f"and feature columns."
        )
    return x


def check_layer_index(layer: int, count: int) -> int:
    if (
        isinstance(layer, bool)
        or not isinstance(layer, int | np.integer)
        or not 1 <= layer <= count
    ):
        raise DataError(
            f"layer must be a layer number from 1 to {count}, got {layer!r}; "
            f"layer 1 is the bottom of the stack."
        )
    return int(layer)


def _check_initial_state(layers: list, initial_state: dict | None, batch: int) -> dict:
    """Return ``{index: [float32 arrays]}`` after checking each layer's count and shapes."""
    checked = {}
    for index, states in (initial_state or {}).items():
        check_layer_index(index, len(layers))
        layer = layers[index - 1]
        names = [f"{name}0" for name in CELLS[layer_kind(layer)].state_names]
        states = [np.asarray(state, dtype="float32") for state in states]
        shapes = [state.shape for state in states]
        expected = [(batch, layer.cell.units)] * len(names)
        if shapes != expected:
            raise DataError(
                f"initial_state for layer {index} ({layer_kind(layer)}) must be "
                f"[{', '.join(names)}], each (batch, units) = {expected[0]}, got shapes "
                f"{shapes}; give one array per state for this batch."
            )
        checked[index] = states
    return checked


def _masking_layer(model):
    import keras

    found = [layer for layer in model.layers if isinstance(layer, keras.layers.Masking)]
    return found[0] if found else None


def input_mask(model, x: np.ndarray) -> np.ndarray | None:
    """Keras' Masking rule: a step is kept when any feature differs from ``mask_value``."""
    masking = _masking_layer(model)
    if masking is None:
        return None
    return np.any(x != masking.mask_value, axis=-1)  # (batch, timesteps)


def _output_sequence(h: np.ndarray, mask: np.ndarray | None, go_backwards: bool) -> np.ndarray:
    """Keras' output sequence from the trace's states ``h`` ``(batch, timesteps, units)``.

    A masked step repeats the last kept step's output, and is zero before the first one (Keras'
    ``zero_output_for_mask=False``); the state ``h`` is the same except that it starts at
    ``h0``.
    """
    if mask is None:
        return h
    kept = mask[:, ::-1] if go_backwards else mask  # reading order, (batch, timesteps)
    steps = np.where(kept, np.arange(kept.shape[1]), -1)
    last_kept = np.maximum.accumulate(steps, axis=1)  # (batch, timesteps)
    output = np.take_along_axis(h, np.maximum(last_kept, 0)[..., None], axis=1)
    return np.where(last_kept[..., None] >= 0, output, 0.0)


def _traceable_kind(rnn) -> str:
    """The reference cells are Keras' defaults; refuse a layer built otherwise."""
    cell = rnn.cell
    defaults = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    found = {
        name: getattr(getattr(cell, name), "__name__", "?")
        for name in defaults
        if hasattr(cell, name)
    }
    if (
        any(found[name] != defaults[name] for name in found)
        or not cell.use_bias
        or not getattr(cell, "reset_after", True)
    ):
        raise SpecError(
            f"{rnn.name} cannot be traced: the reference cells use tanh, sigmoid, a bias and "
            f"(GRU) reset_after=True, Keras' defaults; got {found}. Rebuild it with build_model."
        )
    return layer_kind(rnn)
