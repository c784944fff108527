"""Turn a ``ModelSpec`` into a Keras model, and expose what every recurrent layer returns.

Keras is imported inside the functions, so importing ``lstm_core.model`` stays light.

The model is functional, so a layer with ``return_state=True`` can hand its ``output`` to the
layer above and still expose its states: ``returns_model`` lists them all.
"""

from __future__ import annotations

import warnings

import numpy as np

from lstm_core.cells import CELLS, kind_of_layer
from lstm_core.model.spec import ModelSpec, returned_names, validate
from lstm_core.settings import Limits


def build_model(
    spec: ModelSpec,
    timesteps: int,
    features: int,
    seed: int | None = None,
    *,
    limits: Limits | None = None,
):
    """Build the trainable functional ``keras.Model`` that ``spec`` describes.

    Args:
        spec: the model; validated against ``limits`` first.
        timesteps: steps per sample.
        features: values per step.
        seed: seeds every initializer and dropout, so a seed gives the same initial weights;
            ``None`` lets Keras draw them.
        limits: bounds to validate against; default ``load_limits()``.

    Returns:
        A ``keras.Model`` from ``(batch, timesteps, features)`` to ``(batch, outputs)``:
        ``masking`` (when ``spec.mask_value`` is set), ``layer_1`` ... ``layer_n``, ``flatten``
        (when the top layer returns sequences) and ``head``.

    Raises:
        SpecError: from ``validate``.
    """
    import keras

    validate(spec, timesteps, features, limits)
    inputs = keras.Input(shape=(timesteps, features), name="x")
    x = inputs
    if spec.mask_value is not None:
        x = keras.layers.Masking(mask_value=spec.mask_value, name="masking")(x)
    masked = spec.mask_value is not None
    layers = [
        _recurrent_layer(layer, index, seed, masked) for index, layer in enumerate(spec.layers, 1)
    ]
    returns = run_stack(layers, x)
    x = returns[-1][0]  # the top layer's output
    if spec.layers[-1].return_sequences:
        _quiet_flatten_mask_warning()
        x = keras.layers.Flatten(name="flatten")(x)  # (batch, timesteps * units)
    activation = "softmax" if spec.head == "classification" else None
    outputs = keras.layers.Dense(
        spec.outputs, activation=activation, kernel_initializer=_glorot(seed, 0), name="head"
    )(x)
    model = keras.Model(inputs, outputs, name="lstm_lab")
    for index, (layer, rnn) in enumerate(zip(spec.layers, layers, strict=True), 1):
        if layer.forget_bias == "chrono":
            _chrono_bias(rnn, timesteps, None if seed is None else seed + index)
    return model


def run_stack(
    layers: list, x, initial_state: dict | None = None, mask=None, training=None
) -> list[list]:
    """Call recurrent layers bottom to top; return each layer's returned tensors as a list.

    Works on symbolic inputs (``build_model``) and on arrays (``lstm_core.inspect``), so both
    wire the stack the same way: each layer reads the ``output`` of the one below it, and its
    states, when it returns them, are exposed rather than passed on.

    Args:
        layers: Keras recurrent layers, bottom first.
        x: ``(batch, timesteps, features)``, carrying a Keras mask if it came from ``Masking``.
        initial_state: optional ``{layer index (1-based): [h0] or [h0, c0]}``, each
            ``(batch, units)``; a layer not named starts from zeros, as in Keras.
        mask: optional ``(batch, timesteps)`` booleans for every layer. Pass it with
            ``initial_state``: Keras 3 takes the mask attached to ``x`` only when ``x`` is the
            one tensor argument, and silently drops it when initial states are passed too.
        training: passed to each layer; ``False`` turns dropout off.

    Where a layer given an initial state has read no kept step yet, its ``output`` is zero on
    every backend, as Keras' TensorFlow backend returns it (``_zeros_until_kept``).
    """
    returns = []
    for index, layer in enumerate(layers, 1):
        state = (initial_state or {}).get(index)
        # Every layer below the top returns sequences, which keep the input's mask.
        returned = layer(x, initial_state=state, mask=mask, training=training)
        returned = list(returned) if layer.return_state else [returned]
        if state is not None and mask is not None:
            returned[0] = _zeros_until_kept(returned[0], mask, layer)
        returns.append(returned)
        x = returned[0]  # (batch, timesteps, units) when the layer above exists
    return returns


def _zeros_until_kept(output, mask, layer):
    """``layer``'s ``output`` with zeros where it has read no kept step yet.

    At a masked step Keras returns the last kept step's output (``zero_output_for_mask=False``),
    and zeros before the first one on TensorFlow. On JAX it returns ``h0`` before the first one
    (its ``lax.scan`` takes the previous output from the state), and the layer above a
    ``go_backwards`` layer reads those steps: a Keras defect, written up in
    docs/known-issues.md. With zero initial states, Keras' default, the two agree.

    Args:
        output: the layer's ``output``, ``(batch, timesteps, units)`` in its reading order
            with ``return_sequences``, else ``(batch, units)``.
        mask: ``(batch, timesteps)`` booleans in the input's order, False on masked steps.
        layer: the Keras recurrent layer (its ``go_backwards`` and ``return_sequences``).

    Returns:
        ``output``'s shape, a backend tensor.
    """
    import keras

    kept = np.asarray(mask, bool)
    kept = kept[:, ::-1] if layer.go_backwards else kept  # reading order, (batch, timesteps)
    started = np.logical_or.accumulate(kept, axis=1)  # a kept step read by now
    started = started if layer.return_sequences else started[:, -1]  # or (batch,) at the end
    return keras.ops.where(started[..., None], output, 0.0)


def recurrent_layers(model) -> list:
    """The model's Keras recurrent layers, bottom to top (``layer_1``, ``layer_2``, ...)."""
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.RNN)]


def layer_kind(layer) -> str:
    """The kind (a key of ``lstm_core.cells.CELLS``) of a built recurrent layer."""
    return kind_of_layer(layer)


def returns_model(model):
    """A model with ``model``'s input whose outputs are every recurrent layer's returns.

    Returns:
        A ``keras.Model`` whose outputs are, layer after layer, exactly what each Keras layer
        returns, flattened: ``output``, or ``output, h, c`` (LSTM) / ``output, h`` (GRU,
        SimpleRNN) with ``return_state``. ``group_returns`` names them per layer.
    """
    import keras

    outputs = []
    for layer in recurrent_layers(model):
        returned = layer.output
        outputs.extend(returned if isinstance(returned, list | tuple) else [returned])
    return keras.Model(model.input, outputs, name="returns")


def group_returns(model, flat: list) -> list[dict]:
    """Split ``returns_model``'s flat outputs per layer: ``{"output": ..., "h": ..., "c": ...}``.

    Args:
        model: the model given to ``returns_model``.
        flat: its outputs, a list of arrays or tensors (or the one array Keras gives for a
            model with a single output).

    Returns:
        One dict per recurrent layer, bottom first, with only the names that layer returns,
        in Keras' order; the values are ``flat``'s as given.
    """
    if not isinstance(flat, list | tuple):
        flat = [flat]
    groups = []
    position = 0
    for layer in recurrent_layers(model):
        names = returned_names(layer_kind(layer), layer.return_state)
        groups.append(dict(zip(names, flat[position : position + len(names)], strict=True)))
        position += len(names)
    return groups


def _recurrent_layer(layer, index: int, seed: int | None, masked: bool):
    import keras

    layer_seed = None if seed is None else seed + index
    options = {
        "units": layer.units,
        "return_sequences": layer.return_sequences,
        "return_state": layer.return_state,
        "go_backwards": layer.go_backwards,
        "dropout": layer.dropout,
        "recurrent_dropout": layer.recurrent_dropout,
        "kernel_initializer": _glorot(seed, index),
        "recurrent_initializer": keras.initializers.Orthogonal(seed=layer_seed),
        "seed": layer_seed,
        "name": f"layer_{index}",
    }
    cell = CELLS[layer.kind]
    if cell.forget_bias:
        # "one": Jozefowicz et al. 2015. "chrono" starts from zeros and is set after building.
        options["unit_forget_bias"] = layer.forget_bias == "one"
    if masked and cell.cudnn:
        # Padding is at the front (lstm_core.data.sequences); Keras' cuDNN kernel asserts
        # right-padded masks and would fail on a GPU, so the generic loop runs instead.
        options["use_cudnn"] = False
    return cell.make_layer(**options)


def _quiet_flatten_mask_warning() -> None:
    """Silence Keras' warning, on every build, fit and predict, that Flatten drops the mask.

    It is meant to: the head reads every step, and a mask kept on the predictions would weight
    the loss per step. Long-format sequences are padded at the front, so a padded step comes
    before every real step and holds zeros: Keras' RNN carries the previous output over a
    masked step, and before the first real step that is the zero initial state. Only that exact message is filtered; adding the same filter again replaces it.
    """
    warnings.filterwarnings(
        "ignore",
        message=r"Layer 'flatten' \(of type Flatten\) was passed an input with a mask",
        category=UserWarning,
    )


def _glorot(seed: int | None, index: int):
    import keras

    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + index)


def _chrono_bias(rnn, timesteps: int, seed: int | None) -> None:
    """Chrono initialisation (Tallec & Ollivier 2018): ``b_f ~ log(U[1, T - 1])``, ``b_i = -b_f``.

    With ``T = timesteps``, forget gates start out keeping memory over time scales spread up
    to the window length. ``T - 1`` is floored at 1, where the draw is ``log(1) = 0``.
    """
    units = rnn.cell.units
    blocks = CELLS[kind_of_layer(rnn)].block_gates  # Keras' LSTM: i, f, c, o
    rng = np.random.default_rng(seed)
    forget = np.log(rng.uniform(1.0, max(timesteps - 1, 1), size=units))
    bias = np.zeros((len(blocks), units), dtype="float32")  # (blocks, units)
    bias[blocks.index("f")] = forget
    if "i" in blocks:  # a coupled input gate, 1 - f, is already the opposite
        bias[blocks.index("i")] = -forget
    rnn.cell.bias.assign(bias.reshape(-1))
