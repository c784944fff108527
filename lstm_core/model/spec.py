"""What a user asks for: a stack of recurrent layers and a head, as plain, JSON-able data.

Pure Python, no TensorFlow: the model page validates and describes a spec while the user edits.

The forget-gate bias options come from two papers: ``"one"`` is Keras' ``unit_forget_bias=True``,
a forget bias of 1 so that an untrained LSTM keeps its memory (Jozefowicz, Zaremba & Sutskever
2015, "An Empirical Exploration of Recurrent Network Architectures"); ``"chrono"`` draws the forget
bias from ``log(U[1, timesteps - 1])`` and sets the input bias to its negative, so the layer starts
out remembering over every time scale up to the window length (Tallec & Ollivier 2018, "Can
recurrent neural networks warp time?").
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from dataclasses import dataclass

from lstm_core.cells import CELLS, FORGET_BIAS_KINDS, KERAS_CLASS, KINDS
from lstm_core.errors import SpecError
from lstm_core.settings import Limits, load_limits
from lstm_core.validation import check_choice, check_int, check_keys, check_number

HEADS = ("regression", "classification")
FORGET_BIASES = ("one", "zeros", "chrono")
# The stack a new session starts with, which every bundled sample's defaults are checked with.
DEFAULT_LAYERS = "lstm:32:seq,lstm:16"
LAYER_SYNTAX = (
    f"kind:units[:flag...] separated by commas, kind one of {', '.join(KINDS)}, flags seq "
    "(return_sequences), state (return_state), back (go_backwards), drop=RATE, rdrop=RATE, "
    "bias=one|zeros|chrono; e.g. 'lstm:64:seq,lstm:32'"
)


@dataclass(frozen=True)
class LayerSpec:
    """One recurrent layer, with the options of the Keras layer of the same kind."""

    kind: str = "lstm"  # "lstm" (keras.layers.LSTM), "gru" (GRU) or "rnn" (SimpleRNN)
    units: int = 32  # size of h (and c): the width of the state, not a count of cells
    return_sequences: bool = False  # output every step (batch, timesteps, units), not the last
    return_state: bool = False  # also return the final states: [output, h, c] (LSTM)
    dropout: float = 0.0  # fraction of the inputs dropped while training, in [0, 1)
    recurrent_dropout: float = 0.0  # fraction of h dropped while training; rules out cuDNN
    go_backwards: bool = False  # read the sequence from its last step to its first
    forget_bias: str = "one"  # LSTM only: "one" (Keras' default), "zeros" or "chrono"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> LayerSpec:
        """Build from ``to_dict()``'s output; raises ``SpecError`` on unknown keys or types."""
        layer = cls(**check_keys(cls, d, error=SpecError))
        check_layer(layer)
        return layer


@dataclass(frozen=True)
class ModelSpec:
    """A stack of recurrent layers and a dense head that makes ``(batch, outputs)``."""

    layers: tuple[LayerSpec, ...]  # bottom to top; every layer but the last returns sequences
    head: str = "regression"  # "regression": linear Dense; "classification": softmax Dense
    outputs: int = 1  # horizon * targets, or the number of classes
    mask_value: float | None = None  # input value that marks padding (a Masking layer), or None

    def to_dict(self) -> dict:
        return {
            "layers": [layer.to_dict() for layer in self.layers],
            "head": self.head,
            "outputs": self.outputs,
            "mask_value": self.mask_value,
        }

    @classmethod
    def for_windows(cls, layers: tuple[LayerSpec, ...], windows) -> ModelSpec:
        """``layers`` under the head ``windows`` need (a ``lstm_core.data.Windows``).

        Returns:
            A spec reading ``(batch, timesteps, features)`` of ``windows``, with its task's
            head, ``windows.n_outputs`` outputs (``horizon * targets``, or the number of
            classes) and its mask value (padded sequences), and making ``(batch, outputs)``.
        """
        head = "classification" if windows.task == "classification" else "regression"
        return cls(
            layers=tuple(layers),
            head=head,
            outputs=windows.n_outputs,
            mask_value=windows.mask_value,
        )

    @classmethod
    def from_dict(cls, d: dict) -> ModelSpec:
        """Build from ``to_dict()``'s output; raises ``SpecError`` on unknown keys or types."""
        fields = check_keys(cls, d, error=SpecError)
        layers = fields["layers"]
        if not isinstance(layers, list | tuple):
            raise SpecError(
                f"ModelSpec 'layers' must be a list of layer dicts, got {type(layers).__name__}; "
                "write it as [{'kind': 'lstm', 'units': 32}, ...]."
            )
        fields["layers"] = tuple(
            layer if isinstance(layer, LayerSpec) else LayerSpec.from_dict(layer)
            for layer in layers
        )
        spec = cls(**fields)
        _check_model_types(spec)
        return spec


def returned_names(kind: str, return_state: bool) -> tuple[str, ...]:
    """What a Keras recurrent layer returns, in Keras' order: ``output``, then its states."""
    if not return_state:
        return ("output",)
    return ("output", *CELLS[kind].state_names)


# --- validation --------------------------------------------------------------------------------


def check_layer(layer: LayerSpec, index: int = 1, limits: Limits | None = None) -> LayerSpec:
    """Check one layer's types and ranges (``limits`` adds ``max_units``); return it."""
    where = f"layer {index}"
    if not isinstance(layer, LayerSpec):
        raise SpecError(f"{where} must be a LayerSpec, got {type(layer).__name__}.")
    _check_types(layer, where)
    if layer.kind not in KINDS:
        raise SpecError(f"{where}: kind must be one of {KINDS}, got {layer.kind!r}.")
    high, variable = (limits.max_units, "LSTM_LAB_MAX_UNITS") if limits else (None, None)
    check_int(
        layer.units, "units", owner=where, min_val=1, max_val=high, limit=variable, error=SpecError
    )
    for name in ("dropout", "recurrent_dropout"):
        check_number(
            getattr(layer, name),
            name,
            owner=where,
            min_val=0,
            max_val=1,
            include_boundaries="left",
            fix="use 0 for none and e.g. 0.2 to drop a fifth",
            error=SpecError,
        )
    if not CELLS[layer.kind].dropout and (layer.dropout or layer.recurrent_dropout):
        raise SpecError(
            f"{where}: dropout and recurrent_dropout are not available for a {layer.kind} layer "
            f"(a custom cell), got dropout={layer.dropout} and recurrent_dropout="
            f"{layer.recurrent_dropout}; set both to 0 for a {layer.kind}."
        )
    check_choice(layer.forget_bias, "forget_bias", FORGET_BIASES, owner=where, error=SpecError)
    if not CELLS[layer.kind].forget_bias and layer.forget_bias != "one":
        raise SpecError(
            f"{where}: forget_bias={layer.forget_bias!r} applies to {_forget_bias_classes()} "
            f"layers only, got "
            f"kind={layer.kind!r}; leave forget_bias at its default 'one' for a {layer.kind}."
        )
    return layer


def _forget_bias_classes() -> str:
    """The Keras classes the forget-bias options apply to (the LSTM variants are LSTMs)."""
    classes = (KERAS_CLASS[kind] for kind in FORGET_BIAS_KINDS if CELLS[kind].parts is None)
    return ", ".join(dict.fromkeys(classes))


def validate(
    spec: ModelSpec, timesteps: int, features: int, limits: Limits | None = None
) -> ModelSpec:
    """Check that ``spec`` can be built for inputs ``(batch, timesteps, features)``; return it.

    Args:
        spec: the model to check.
        timesteps: steps per sample (the window length).
        features: values per step.
        limits: bounds on layers, units and timesteps; default ``load_limits()``.

    Raises:
        SpecError: naming the setting, what was expected and received, and the fix. A recurrent
            layer above one that returns only its last output is refused with "set
            return_sequences=True on layer k" (``fix_stack`` applies it).
    """
    limits = limits or load_limits()
    _check_model_types(spec)
    if not 1 <= timesteps <= limits.max_timesteps:
        raise SpecError(
            f"timesteps must be between 1 and {limits.max_timesteps}, got {timesteps}; "
            f"use a shorter lookback or a larger LSTM_LAB_MAX_TIMESTEPS."
        )
    if features < 1:
        raise SpecError(f"features must be at least 1, got {features}; choose a feature column.")
    if not spec.layers:
        raise SpecError("The model has no layers; add one, e.g. 'lstm:32'.")
    if len(spec.layers) > limits.max_layers:
        raise SpecError(
            f"The model has {len(spec.layers)} recurrent layers, at most {limits.max_layers} "
            f"are allowed; remove {len(spec.layers) - limits.max_layers}."
        )
    for index, layer in enumerate(spec.layers, 1):
        check_layer(layer, index, limits)
    for index, (below, above) in enumerate(itertools.pairwise(spec.layers), 1):
        if not below.return_sequences:
            raise SpecError(
                f"layer {index + 1} ({above.kind}) needs a sequence (batch, timesteps, units) "
                f"but layer {index} returns only its last output (batch, {below.units}); "
                f"set return_sequences=True on layer {index}."
            )
    if spec.head not in HEADS:
        raise SpecError(f"head must be one of {HEADS}, got {spec.head!r}.")
    if spec.head == "classification" and spec.outputs < 2:
        raise SpecError(
            f"A classification head needs at least 2 classes, got outputs={spec.outputs}; "
            f"choose a target column with two or more classes."
        )
    if spec.outputs < 1:
        raise SpecError(
            f"A regression head needs at least 1 output, got outputs={spec.outputs}; "
            f"choose at least one target."
        )
    return spec


def fix_stack(spec: ModelSpec) -> ModelSpec:
    """Return ``spec`` with ``return_sequences=True`` on every layer that has a layer above it.

    A recurrent layer reads a sequence ``(batch, timesteps, units)``, so each layer below the
    top one must return all its steps. The top layer is left as the user set it.
    """
    layers = (
        tuple(dataclasses.replace(layer, return_sequences=True) for layer in spec.layers[:-1])
        + spec.layers[-1:]
    )
    return dataclasses.replace(spec, layers=layers)


def suggest_fix(
    spec: ModelSpec, timesteps: int, features: int, limits: Limits | None = None
) -> ModelSpec | None:
    """Propose a valid spec close to an invalid one, for a one-click fix; ``None`` if none.

    Turns on ``return_sequences`` where the stack needs it, caps ``units`` at
    ``limits.max_units``, and resets ``forget_bias`` on GRU and SimpleRNN layers. Returns
    ``None`` when ``spec`` is already valid or still invalid after those fixes.
    """
    limits = limits or load_limits()
    try:
        validate(spec, timesteps, features, limits)
        return None
    except SpecError:
        pass
    try:
        _check_model_types(spec)
        for index, layer in enumerate(spec.layers, 1):
            if not isinstance(layer, LayerSpec):
                return None
            _check_types(layer, f"layer {index}")  # a wrong type has no obvious fix
        layers = tuple(_fix_layer(layer, limits) for layer in spec.layers)
        fixed = fix_stack(dataclasses.replace(spec, layers=layers))
        return validate(fixed, timesteps, features, limits)
    except SpecError:
        return None


def _fix_layer(layer: LayerSpec, limits: Limits) -> LayerSpec:
    units = min(layer.units, limits.max_units)
    forget_bias = layer.forget_bias if CELLS[layer.kind].forget_bias else "one"
    return dataclasses.replace(layer, units=units, forget_bias=forget_bias)


# --- the layer string syntax: "lstm:64:seq,lstm:32" -------------------------------------------

_FLAGS = {"seq": "return_sequences", "state": "return_state", "back": "go_backwards"}
_VALUED = {"drop": "dropout", "rdrop": "recurrent_dropout", "bias": "forget_bias"}
_UNITS = re.compile(r"[0-9]+")


def parse_layers(text: str) -> tuple[LayerSpec, ...]:
    """Parse ``"lstm:64:seq,lstm:32"`` into layers; see ``LAYER_SYNTAX``.

    Each layer's types and ranges are checked; the stack as a whole is checked by ``validate``.

    Raises:
        SpecError: naming the piece that could not be read and the syntax.
    """
    if not isinstance(text, str) or not text.strip():
        raise SpecError(f"The layer string is empty; write {LAYER_SYNTAX}.")
    return tuple(
        check_layer(_parse_layer(piece.strip()), index)
        for index, piece in enumerate(text.split(","), 1)
    )


def _parse_layer(piece: str) -> LayerSpec:
    kind, *rest = [part.strip().lower() for part in piece.split(":")]
    if kind not in KINDS or not rest or not _UNITS.fullmatch(rest[0]):
        raise SpecError(f"Cannot read layer {piece!r}: expected {LAYER_SYNTAX}.")
    options: dict[str, object] = {"kind": kind, "units": int(rest[0])}
    for flag in rest[1:]:
        name, _, value = flag.partition("=")
        if flag in _FLAGS:
            options[_FLAGS[flag]] = True
        elif name in _VALUED and value:
            options[_VALUED[name]] = value if name == "bias" else _parse_rate(value, piece)
        else:
            raise SpecError(f"Unknown flag {flag!r} in layer {piece!r}: expected {LAYER_SYNTAX}.")
    return LayerSpec(**options)


def _parse_rate(value: str, piece: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise SpecError(
            f"Cannot read the rate {value!r} in layer {piece!r}: expected a number in [0, 1) "
            f"such as drop=0.2."
        ) from None


def format_layers(layers: tuple[LayerSpec, ...]) -> str:
    """Write layers in ``parse_layers``' syntax, naming only options that differ from defaults."""
    default = LayerSpec()
    pieces = []
    for layer in layers:
        parts = [layer.kind, str(layer.units)]
        parts += [flag for flag, field in _FLAGS.items() if getattr(layer, field)]
        for flag, field in _VALUED.items():
            value = getattr(layer, field)
            if value != getattr(default, field):
                parts.append(f"{flag}={value}")
        pieces.append(":".join(parts))
    return ",".join(pieces)


# --- JSON types ---------------------------------------------------------------------------------

_NUMBER = (int, float)
_TYPES = {
    "kind": (str,),
    "units": (int,),
    "return_sequences": (bool,),
    "return_state": (bool,),
    "dropout": _NUMBER,
    "recurrent_dropout": _NUMBER,
    "go_backwards": (bool,),
    "forget_bias": (str,),
    "head": (str,),
    "outputs": (int,),
    "mask_value": (*_NUMBER, type(None)),
}


_TYPE_NAMES = {int: "an int", float: "a float", bool: "True or False", str: "a string"}
_TYPE_NAMES[type(None)] = "None"


def _check_types(obj: object, where: str) -> None:
    """Check every field but ``layers`` against ``_TYPES``; ``bool`` never passes as a number."""
    for field in dataclasses.fields(obj):
        if field.name == "layers":
            continue
        value = getattr(obj, field.name)
        expected = _TYPES[field.name]
        if (isinstance(value, bool) and bool not in expected) or not isinstance(value, expected):
            names = " or ".join(_TYPE_NAMES[t] for t in expected)
            raise SpecError(
                f"{where} {field.name} must be {names}, got {value!r} "
                f"({type(value).__name__}); fix its value."
            )


def _check_model_types(spec: ModelSpec) -> None:
    if not isinstance(spec, ModelSpec):
        raise SpecError(f"Expected a ModelSpec, got {type(spec).__name__}.")
    _check_types(spec, "ModelSpec")
    if not isinstance(spec.layers, tuple):
        raise SpecError(
            f"ModelSpec: layers must be a tuple of LayerSpec, got {type(spec.layers).__name__}; "
            f"pass tuple(layers)."
        )
    if spec.mask_value is not None and not math.isfinite(spec.mask_value):
        raise SpecError(
            f"ModelSpec: mask_value must be a finite number or None, got {spec.mask_value}."
        )
