"""What every layer of a spec returns, before anything is built: shapes, names, parameters.

Pure Python, no TensorFlow, so the model page updates while the user types. Tests build the
same models in Keras and check every shape and parameter count against ``describe``.

Shapes use ``None`` for the batch axis, as Keras prints them. Parameter counts, with ``F`` inputs
per step and ``U`` units:

- LSTM: ``4 * (U * (F + U) + U)``: kernel ``(F, 4U)``, recurrent_kernel ``(U, 4U)``, bias ``(4U,)``;
- GRU (Keras' default ``reset_after=True``): ``3 * (U * (F + U) + 2U)``, two biases ``(2, 3U)``;
- SimpleRNN: ``U * (F + U) + U``;
- an LSTM variant (``lstm_core.model.variants``): ``blocks * (U * (F + U) + U)``, with 3 blocks
  where a gate has no weights of its own (nig, nfg, nog, cifg), plus ``3U`` peepholes for ph.
"""

from __future__ import annotations

from lstm_core.cells import CELLS, KERAS_CLASS, OUTPUT_STATE
from lstm_core.model.spec import LayerSpec, ModelSpec, returned_names

__all__ = [
    "KERAS_CLASS",
    "count_params",
    "describe",
    "describe_head",
    "layer_params",
    "returns_by_option",
]


def layer_params(kind: str, units: int, features: int) -> int:
    """Trainable parameters of one recurrent layer reading ``features`` values per step."""
    return CELLS[kind].params(units, features)


def _keras_names(kind: str) -> dict[str, str]:
    """The names Keras' own docstrings give what the layer returns."""
    cell = CELLS[kind]
    return {"output": "output", **dict(zip(cell.state_names, cell.keras_state_names, strict=True))}


def describe(spec: ModelSpec, timesteps: int, features: int) -> list[dict]:
    """Describe what each recurrent layer of ``spec`` returns, in Keras' order.

    Args:
        spec: the model; ``validate`` it first, this does not.
        timesteps: steps per sample.
        features: values per step; the model reads ``(batch, timesteps, features)``.

    Returns:
        One dict per recurrent layer, bottom to top: ``index`` (1-based), ``name``
        (``layer_1``, ...), ``kind``, ``keras_class``, ``units``, ``input_shape``, ``returns``
        (a list, in Keras' order, of ``{"name": "output"|"h"|"c", "keras_name", "shape",
        "note"}``), ``params``, ``pytorch`` (how ``torch.nn`` returns the same thing) and
        ``cudnn`` (``{"eligible": bool, "reason": str}``: whether Keras can run the layer as
        one fused cuDNN kernel on a GPU), ``removes`` (for an LSTM variant of Greff et al.
        2017, what it removes from Keras' LSTM; ``""`` otherwise).
    """
    rows = []
    width = features
    for index, layer in enumerate(spec.layers, 1):
        output = (None, timesteps, layer.units) if layer.return_sequences else (None, layer.units)
        states = dict.fromkeys(CELLS[layer.kind].state_names, (None, layer.units))
        shapes = {"output": output, **states}
        returns = [
            {
                "name": name,
                "keras_name": _keras_names(layer.kind)[name],
                "shape": shapes[name],
                "note": _return_note(layer.kind, name, layer.return_sequences, layer.go_backwards),
            }
            for name in returned_names(layer.kind, layer.return_state)
        ]
        params = layer_params(layer.kind, layer.units, width)
        rows.append(
            {
                "index": index,
                "name": f"layer_{index}",
                "kind": layer.kind,
                "keras_class": KERAS_CLASS[layer.kind],
                "units": layer.units,
                "input_shape": (None, timesteps, width),
                "returns": returns,
                "params": params,
                "pytorch": _pytorch(layer.kind, layer.units, width, layer.go_backwards),
                "removes": CELLS[layer.kind].removes,
                "cudnn": _cudnn(layer, spec.mask_value is not None),
            }
        )
        width = layer.units
    return rows


def describe_head(spec: ModelSpec, timesteps: int, features: int) -> list[dict]:
    """Describe the layers around the recurrent stack: masking, flatten and the dense head.

    Returns:
        One dict per layer in the order data meets them: ``name`` (``masking``, ``flatten``,
        ``head``), ``input_shape``, ``output_shape``, ``params`` and ``note``. The Masking
        layer comes before the stack, the others after it. The head always makes
        ``(None, outputs)``.
    """
    rows = []
    if spec.mask_value is not None:
        rows.append(
            {
                "name": "masking",
                "input_shape": (None, timesteps, features),
                "output_shape": (None, timesteps, features),
                "params": 0,
                "note": f"steps whose features all equal {spec.mask_value} are skipped: "
                "the states carry over unchanged",
            }
        )
    top = spec.layers[-1]
    width = top.units
    if top.return_sequences:
        width = timesteps * top.units
        rows.append(
            {
                "name": "flatten",
                "input_shape": (None, timesteps, top.units),
                "output_shape": (None, width),
                "params": 0,
                "note": "the top layer returns every step, so Flatten joins them into one "
                "vector and the head reads all steps; turn return_sequences off on the top "
                "layer to read only the last step",
            }
        )
    activation = "softmax" if spec.head == "classification" else "linear"
    rows.append(
        {
            "name": "head",
            "input_shape": (None, width),
            "output_shape": (None, spec.outputs),
            "params": width * spec.outputs + spec.outputs,
            "note": f"Dense({spec.outputs}, activation={activation!r})",
        }
    )
    return rows


def count_params(spec: ModelSpec, timesteps: int, features: int) -> int:
    """All trainable parameters of the model ``build_model`` makes from ``spec``."""
    rows = describe(spec, timesteps, features) + describe_head(spec, timesteps, features)
    return sum(row["params"] for row in rows)


def returns_by_option(layer: LayerSpec, timesteps: int, width: int) -> list[dict]:
    """What ``layer`` would return under each combination of Keras' two return options.

    Args:
        layer: the layer as built.
        timesteps: steps per sample.
        width: values per step the layer reads (features, or the units of the layer below).

    Returns:
        Four dicts, ``return_sequences`` False then True, each with ``return_state`` False then
        True: the two options, ``returns`` (``describe``'s list of tensors with their shapes;
        no model is built) and ``as built`` (whether these are ``layer``'s options).
    """
    rows = []
    for sequences in (False, True):
        for states in (False, True):
            variant = LayerSpec(
                kind=layer.kind, units=layer.units, return_sequences=sequences, return_state=states
            )
            (described,) = describe(ModelSpec(layers=(variant,)), timesteps, width)
            rows.append(
                {
                    "return_sequences": sequences,
                    "return_state": states,
                    "returns": described["returns"],
                    "as built": (sequences, states) == (layer.return_sequences, layer.return_state),
                }
            )
    return rows


def _return_note(kind: str, name: str, return_sequences: bool, go_backwards: bool) -> str:
    """What one returned tensor holds: ``output``, or a state of the row of ``kind``."""
    if name in CELLS[kind].state_names:
        note = f"the {CELLS[kind].signal(name).label} after the last step"
        if name != OUTPUT_STATE:
            return note
        last = "output[:, -1]" if return_sequences else "output"
        return f"{note}; equal to {last}"
    if not return_sequences:
        return f"{OUTPUT_STATE} after the last step"
    order = ", in reading order: step t is input step timesteps-1-t" if go_backwards else ""
    return f"{OUTPUT_STATE} at every step{order}"


def _pytorch(kind: str, units: int, features: int, go_backwards: bool) -> str:
    cell = CELLS[kind]
    if not cell.torch_class:
        return (
            f"PyTorch has no built-in equivalent of the {kind} cell: write its step as a "
            f"torch.nn.Module looped over the time axis (the equations are on the States page)."
        )
    finals = [f"{name}_n" for name in cell.state_names]  # PyTorch's h_n, c_n
    returned = f"output, ({', '.join(finals)})" if len(finals) > 1 else f"output, {finals[0]}"
    text = (
        f"{cell.torch_class}({features}, {units}, batch_first=True) returns {returned}. Its "
        f"output is always every step, (batch, timesteps, {units}), as with "
        f"return_sequences=True; Keras' last-step output is output[:, -1]. "
        f"{' and '.join(finals)} {'are' if len(finals) > 1 else 'is'} (1, batch, {units}): "
        f"Keras' {' and '.join(cell.state_names)} with a leading layer axis."
    )
    extra = (2 - cell.bias_per_block) * cell.blocks * units  # PyTorch keeps b_ih and b_hh
    if extra:
        text += (
            f" PyTorch keeps two bias vectors (b_ih and b_hh), so it counts {extra} more "
            f"parameters."
        )
    if cell.torch_note:
        text += " " + cell.torch_note
    if go_backwards:
        text += " PyTorch has no go_backwards: feed it torch.flip(x, dims=[1])."
    return text


def _cudnn(layer, masked: bool) -> dict:
    """Keras 3's rule (``keras/src/layers/rnn/lstm.py``, ``gru.py``) for the fused kernel.

    Keras needs tanh, sigmoid, ``recurrent_dropout == 0``, ``unroll=False`` and a bias (and
    ``reset_after=True`` for GRU); LSTM Lab fixes all of those but ``recurrent_dropout``.
    """
    cell = CELLS[layer.kind]
    if not cell.cudnn:
        return {"eligible": False, "reason": f"{cell.keras_class} has no cuDNN kernel in Keras."}
    if layer.recurrent_dropout > 0:
        return {
            "eligible": False,
            "reason": f"recurrent_dropout={layer.recurrent_dropout} rules out cuDNN, which "
            "needs recurrent_dropout == 0; set it to 0 (dropout is fine) to use cuDNN on a GPU.",
        }
    if masked:
        # The long format pads at the front (lstm_core.data.sequences), and Keras 3's cuDNN
        # path asserts right padding (keras/src/backend/tensorflow/rnn.py, _assert_valid_mask),
        # so build_model turns cuDNN off for masked layers.
        return {
            "eligible": False,
            "reason": "the sequences are padded at the front and masked, and Keras' cuDNN "
            "kernel accepts only right-padded masks, so this layer runs Keras' generic loop "
            "(build_model sets use_cudnn=False); sequences of equal length (length='cut') "
            "need no mask and can use cuDNN.",
        }
    reason = (
        "on a GPU Keras runs this layer as one fused cuDNN kernel: tanh activation, sigmoid "
        "recurrent_activation, recurrent_dropout == 0, unroll=False and a bias"
        + "".join(f", {name}={value}" for name, value in cell.keras_options)
        + "."
    )
    return {"eligible": True, "reason": reason}
