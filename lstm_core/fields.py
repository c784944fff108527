"""The settings of every config, declared once: a row per field, read by every surface.

Modelled on TensorFlow Playground's ``state.ts`` and on ``lstm_core.cells``: ``TRAIN``,
``SERIES``, ``SEQUENCES`` and ``COMPARE`` list the fields of ``TrainConfig``, ``WindowSpec``,
``SequenceSpec`` and ``CompareConfig``, each ``Field`` with its type, range, choices, label and
help, widget, URL parameter and codec, CLI flag, whether a sweep may vary it, and the conversion
between what a person types and what the engine takes (``clipnorm`` 0 means no clipping). The
default is read from the dataclass, never typed here. Made from these tables:

- the URL codec (``lstm_core.experiment_url.FIELDS``);
- the CLI's options of ``train``, ``sweep``, ``vanishing``, ``compare`` and ``ablation``
  (``add_options``, ``add_list_options``) and what a command line gave (``overrides``);
- the Data, Train, Vanishing and Ablation pages' widgets (``ui.fields``);
- the sweep axes (``lstm_core.sweeps.spec.AXES``, ``lstm_core.sweeps.training.TRAINING_AXES``,
  ``ui.sweeps``).

Adding a training setting is one row here plus its use in the engine. The values themselves
are validated once, by the dataclass (``TrainConfig.__post_init__``, ``check_compare``, ...);
``tests/test_fields.py`` checks that each row's range is the one its dataclass enforces.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from lstm_core.data import LENGTHS, TASKS, SequenceSpec, WindowSpec
from lstm_core.data.missing import MISSING_POLICIES
from lstm_core.data.scaling import SCALERS
from lstm_core.experiments.config import CompareConfig
from lstm_core.model.spec import FORGET_BIASES
from lstm_core.train.config import LOSSES, MAX_SEED, OPTIMIZERS, TrainConfig

WIDGETS = ("number", "select", "toggle", "names", "text")


@dataclass(frozen=True)
class Codec:
    """How one kind of value is written in a URL and read back."""

    write: Callable[[object], str | None]  # None: the parameter is left out
    read: Callable[[str], object]  # raises ValueError on bad text
    expected: str  # what the text must be, in words, for an error message


def _read_bool(text: str) -> bool:
    if text not in ("true", "false"):
        raise ValueError(text)
    return text == "true"


def _write_names(names) -> str:
    # Column names may hold commas: a backslash escapes "," and "\" inside a name.
    return ",".join(name.replace("\\", "\\\\").replace(",", "\\,") for name in names)


def _read_names(text: str) -> list[str]:
    names, current, escaped = [], [], False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            names.append("".join(current))
            current = []
        else:
            current.append(char)
    if escaped:
        raise ValueError(text)
    return [*names, "".join(current)] if text else []


def _read_optional(read: Callable[[str], object]) -> Callable[[str], object]:
    return lambda text: None if text == "none" else read(text)


INT = Codec(str, int, "a whole number")
FLOAT = Codec(repr, float, "a number")
OPTIONAL_INT = Codec(
    lambda v: "none" if v is None else str(v), _read_optional(int), "a whole number or none"
)
OPTIONAL_FLOAT = Codec(
    lambda v: "none" if v is None else repr(v), _read_optional(float), "a number or none"
)
BOOL = Codec(lambda v: "true" if v else "false", _read_bool, "true or false")
TEXT = Codec(str, str, "text")
# None is written as an empty value, so that it also overrides a sample's own column.
OPTIONAL_TEXT = Codec(lambda v: "" if v is None else str(v), lambda t: t or None, "text or empty")
NAMES = Codec(
    _write_names,
    _read_names,
    "column names separated by commas (a backslash before a comma that is part of a name)",
)
_CODECS = {
    (int, False): INT,
    (int, True): OPTIONAL_INT,
    (float, False): FLOAT,
    (float, True): OPTIONAL_FLOAT,
    (bool, False): BOOL,
    (str, False): TEXT,
    (str, True): OPTIONAL_TEXT,
    (tuple, False): NAMES,
}


@dataclass(frozen=True)
class Field:
    """One setting of a config: how it is typed, shown, written in a URL and on a command line.

    Example:

    >>> TRAIN["clipnorm"].to_engine(0.0) is None  # the widget's and the flag's 0: no clipping
    True
    """

    name: str  # the dataclass field, and the widget's key on its page
    kind: type  # what a person types: int, float, str, bool, or tuple (column names)
    label: str  # the widget's label
    help: str = ""  # one sentence, for the widget's tooltip and the CLI's --help
    widget: str = "number"  # one of WIDGETS
    min: float | None = None  # the smallest value a widget offers (the dataclass checks it)
    max: float | None = None  # the largest (None: no bound, or the app's Limits)
    step: float | None = None  # a number widget's step
    format: str | None = None  # a number widget's printf format, e.g. "%.5f"
    choices: tuple = ()  # the values of a "select" widget and of the CLI option
    optional: bool = False  # None is a value of the engine (written "none" in a URL)
    blank: object = None  # what a person types for the engine's None (clipnorm: 0.0)
    param: str = ""  # the URL parameter, when not the name
    flag: str = ""  # the CLI option without "--", when not the URL parameter with dashes
    axis: str = ""  # a sweep may vary it: the label of its list ("Learning rates"); "": never

    @property
    def key(self) -> str:
        """The URL parameter (and the parsed arguments' attribute)."""
        return self.param or self.name

    @property
    def option(self) -> str:
        """The CLI option, e.g. ``"--batch-size"``."""
        return "--" + (self.flag or self.key.replace("_", "-"))

    @property
    def swept(self) -> bool:
        """Whether a sweep may vary it."""
        return bool(self.axis)

    @property
    def codec(self) -> Codec:
        """How the value is written in a URL."""
        return _CODECS[(self.kind, self.optional)]

    def to_engine(self, value):
        """What the engine takes for ``value`` as a person typed it (a list: a tuple)."""
        if self.blank is not None and value == self.blank:
            return None
        return tuple(value) if isinstance(value, list) else value

    def to_person(self, value):
        """What a person sees for the engine's ``value`` (None: ``blank``)."""
        return self.blank if value is None and self.blank is not None else value


@dataclass(frozen=True)
class Table:
    """The fields of one config dataclass (``owner``), in the order a page shows them."""

    name: str  # "train", "series", "sequences" or "compare": a key of ``overrides``
    part: str  # the experiment's part it is (lstm_core.experiment_io): "train", "window" or ""
    owner: type  # the frozen dataclass the rows describe; its defaults are the defaults
    fields: tuple[Field, ...]

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __getitem__(self, name: str) -> Field:
        return next(field for field in self.fields if field.name == name)

    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    def default(self, name: str):
        """The dataclass's default of ``name`` (None for a field without one)."""
        field = next(f for f in dataclasses.fields(self.owner) if f.name == name)
        return None if field.default is dataclasses.MISSING else field.default

    def without(self, *names: str) -> Table:
        """This table without the fields ``names`` (a command that sets them otherwise)."""
        return dataclasses.replace(
            self, fields=tuple(f for f in self.fields if f.name not in names)
        )

    def with_field(self, field: Field) -> Table:
        """This table with ``field`` added (for a subclass of ``owner`` that has it)."""
        return dataclasses.replace(self, fields=(*self.fields, field))


_BATCH = "Samples per gradient step."
_LR = "The optimizer's step size."

TRAIN = Table("train", "train", TrainConfig, (
    Field("epochs", int, "Epochs", "Passes over the training split.", min=1, step=1,
          axis="Epochs"),
    Field("batch_size", int, "Batch size", _BATCH, min=1, step=1, axis="Batch sizes"),
    Field("learning_rate", float, "Learning rate", _LR, min=0.0, max=1.0, step=0.0005,
          format="%.5f", flag="lr", axis="Learning rates"),
    Field("seed", int, "Seed", "The same seed, data and model give the same run.", min=0,
          max=MAX_SEED, step=1),
    Field("patience", int, "Early stopping: patience",
          "Epochs without a better validation loss before stopping and restoring the best "
          "weights; 0 trains every epoch.", min=0, step=1, axis="Patiences"),
    Field("optimizer", str, "Optimizer", "The update rule.", "select", choices=OPTIMIZERS,
          axis="Optimizers"),
    Field("loss", str, "Loss", "auto: mean squared error, or cross-entropy for classes.",
          "select", choices=LOSSES, axis="Losses"),
    Field("clipnorm", float, "Gradient clipping (clipnorm, 0 = off)",
          "Largest gradient norm per weight tensor: keeps exploding gradients in check "
          "(Pascanu et al. 2013).", min=0.0, step=0.5, optional=True, blank=0.0,
          axis="Clipnorms (0 = off)"),
))  # fmt: skip

# Settings both layouts of data have.
_SCALER = Field("scaler", str, "Scaler (fitted on training rows)",
                "minmax: to [0, 1]; standard: to mean 0 and deviation 1; none: as they are. "
                "Fitted on the training rows only.", "select", choices=SCALERS,
                axis="Scalers")  # fmt: skip
_VAL = Field("val_fraction", float, "Validation share",
             "Share of the rows for validation, after the training rows.", min=0.0, max=1.0,
             step=0.05, format="%.2f")  # fmt: skip
_TEST = Field("test_fraction", float, "Test share", "Share of the rows for testing, at the end.",
              min=0.0, max=1.0, step=0.05, format="%.2f")  # fmt: skip
_MISSING = Field("missing", str, "Missing values",
                 "error: refuse; drop: drop rows; ffill: carry the last value forward (only the "
                 "past); interpolate: linear between neighbours, which reads the next known "
                 "value, the future. Validation and test windows whose target was filled in "
                 "are left out of their scores.", "select",
                 choices=MISSING_POLICIES)  # fmt: skip
_FEATURES = Field("features", tuple, "Features: the inputs at every step",
                  "Input columns, in order along the features axis.", "names")  # fmt: skip

SERIES = Table("series", "window", WindowSpec, (
    _FEATURES,
    Field("targets", tuple, "Targets: the columns to predict",
          "Columns to predict, in order within each step of y.", "names"),
    Field("lookback", int, "Lookback", "Steps per window: the model's timesteps.", min=1,
          step=1, axis="Lookbacks (comma-separated)"),
    Field("horizon", int, "Horizon", "Future steps predicted from each window.", min=1, step=1),
    Field("stride", int, "Stride", "Rows between the starts of consecutive windows.", min=1,
          step=1, axis="Strides"),
    _SCALER,
    _VAL,
    _TEST,
    _MISSING,
    Field("allow_target_as_feature", bool, "Target as a feature",
          "Whether a target column may also be a feature (its past values as an input).",
          "toggle", param="target_as_feature"),
    Field("difference", bool, "Difference: predict the change",
          "Inputs become changes from the row before and targets the change from the last row "
          "before the window; scores are still in levels. Takes a trend out of the range the "
          "scaler was fitted on.", "toggle"),
    Field("season", int, "Season (rows per cycle)",
          "Rows per season, for the seasonal naive yardstick; 0: no season; empty (not "
          "given): read from the date column (hourly 24, daily 7, weekly 52, monthly 12, "
          "quarterly 4).", min=0, step=1, optional=True),
))  # fmt: skip

SEQUENCES = Table("sequences", "window", SequenceSpec, (
    Field("id_column", str, "Sequence id column", "The column naming each row's sequence.",
          "text"),
    _FEATURES,
    Field("target", str, "Target: one per sequence", "One class label or number per sequence.",
          "text"),
    Field("step_column", str, "Step column (orders the rows)",
          "Orders the rows of a sequence; none: file order.", "text", optional=True),
    Field("task", str, "Task", "What the target is.", "select", choices=TASKS),
    Field("length", str, "Unequal lengths",
          "pad: to the longest, with a mask; cut: to the shortest.", "select", choices=LENGTHS),
    Field("max_length", int, "Common length (0: automatic)",
          "Steps every sequence is padded or cut to; 0: the longest (pad) or the shortest "
          "(cut).", min=0, step=1, optional=True, blank=0),
    _SCALER,
    _VAL,
    _TEST,
    Field("seed", int, "Split seed", "Seed of the shuffled split.", min=0, step=1,
          param="split_seed"),
    _MISSING,
))  # fmt: skip

COMPARE = Table("compare", "", CompareConfig, (
    Field("task", str, "Task", "The generated task.", "select", choices=("adding", "copy"),
          axis="Tasks"),
    Field("timesteps", int, "Timesteps (the delay to bridge)",
          "Adding: sequence length; copy: the delay.", min=1, step=10,
          axis="Timesteps (comma-separated)"),
    Field("units", int, "Units", "Size of h (and c) of every kind.", min=1, step=8, axis="Units"),
    Field("epochs", int, "Epochs", "Passes over the training data; 0 profiles the untrained "
          "models only.", min=0, step=1, axis="Epochs"),
    Field("n_train", int, "Training sequences", "Sequences to train on.", min=1, step=500,
          axis="Training sequences"),
    Field("n_val", int, "Validation sequences", "Sequences to validate on.", min=1, step=100,
          axis="Validation sequences"),
    Field("batch_size", int, "Batch size", _BATCH, min=1, step=8, axis="Batch sizes"),
    Field("learning_rate", float, "Learning rate", _LR, min=0.0, step=0.001, format="%.4f",
          flag="lr", axis="Learning rates"),
    Field("clipnorm", float, "Gradient clipping (clipnorm)",
          "Largest gradient norm per weight tensor.", min=0.0, step=0.5, axis="Clipnorms"),
    Field("forget_bias", str, "LSTM forget-gate bias at initialisation",
          "For every cell with a forget gate: one (Keras' default, Jozefowicz et al. 2015), "
          "zeros, or chrono (Tallec & Ollivier 2018: memory over every time scale up to the "
          "timesteps).", "select", choices=FORGET_BIASES, axis="Forget-gate biases"),
    Field("seed", int, "Seed", "The initial weights, the shuffle order and the data.", min=0,
          max=MAX_SEED, step=1),
))  # fmt: skip

TABLES = (TRAIN, SERIES, SEQUENCES, COMPARE)


def swept(tables: Iterable[Table]) -> tuple[Field, ...]:
    """The fields of ``tables`` a sweep may vary, each name once, in table order."""
    return unique(field for table in tables for field in table if field.swept)


def unique(fields: Iterable[Field]) -> tuple[Field, ...]:
    """``fields`` with each URL parameter once (the first row of a field tables share)."""
    seen: dict[str, Field] = {}
    for field in fields:
        seen.setdefault(field.key, field)
    return tuple(seen.values())


def add_options(
    parser: argparse.ArgumentParser,
    tables: Iterable[Table],
    *,
    base: Mapping[str, object] | None = None,
    note: Callable[[Table, Field], str] | None = None,
) -> None:
    """An option per field of ``tables`` (a field two tables share, once), default None: "not
    given", so that a base (a sample's own settings) keeps its value. A bool is a pair
    ``--difference`` / ``--no-difference``; column names take several values.

    Args:
        parser: the command's parser.
        tables: the field tables whose rows become options.
        base: a table's name -> the config a left-out option keeps the value of (a command's
            own defaults, e.g. the reference ablation's comparison); the help shows that
            value. Default: the dataclass's defaults.
        note: ``note(table, field)`` names what a left-out option is before that value, or
            ``""`` (``train``: "the sample's own"); the help then says "default: NOTE, else
            VALUE".
    """
    tables = tuple(tables)
    base = base or {}
    for field in unique(field for table in tables for field in table):
        owner = next(table for table in tables if field.key in (f.key for f in table))
        options: dict = {
            "dest": field.key,
            "default": None,
            "help": _with_default(field, owner, base.get(owner.name), note),
        }
        if field.kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif field.kind is tuple:
            options.update(nargs="+", metavar="COL")
        elif field.choices:
            options["choices"] = field.choices
        else:
            options.update(type=field.kind, metavar="N" if field.kind is int else "X")
        parser.add_argument(field.option, **options)


def _with_default(field: Field, table: Table, config, note) -> str:
    """``field``'s help and what a left-out option is: "(default: 0.001)", "(default: the
    sample's own, else 0.15)"."""
    value = table.default(field.name) if config is None else getattr(config, field.name)
    person = field.to_person(value)  # clipnorm: 0.0 for none
    default = None if person is None else str(person)
    said = [text for text in ((note(table, field) if note else ""), default) if text]
    return f"{field.help} (default: {', else '.join(said)})" if said else field.help


def add_list_options(parser: argparse.ArgumentParser, fields: Iterable[Field], note) -> None:
    """A comma-separated list option per field (a sweep's axis or base value); ``note(field)``
    ends its help (where the value comes from when it is not given)."""
    for field in fields:
        parser.add_argument(
            field.option,
            dest=field.key,
            metavar="LIST",
            help=f"comma-separated {field.kind.__name__} values: {field.help} {note(field)}",
        )


def overrides(args: argparse.Namespace, tables: Iterable[Table]) -> dict[str, dict]:
    """What a command line gave, per table: ``{"train": {"epochs": 5}, "series": {...}}``,
    each value as the engine takes it (``--clipnorm 0``: None); a table with nothing given
    maps to ``{}``. A field two tables share goes to both."""
    given = {}
    for table in tables:
        values = {}
        for field in table:
            value = getattr(args, field.key, None)
            if value is not None:
                values[field.name] = field.to_engine(value)
        given[table.name] = values
    return given
