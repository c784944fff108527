"""``python -m lstm_core sweep``: a sweep of a comparison or of a training run, on Ray.

Without ``--sample`` / ``--data`` the base is the vanishing-gradient lab's comparison; with one,
a training run on that data, as ``python -m lstm_core train`` would train it (the sample's own
windowing and training settings, ``--layers``). Each list option takes comma-separated values;
an option given more than one value becomes an axis of the sweep, one given a single value a
setting of its base:

    python -m lstm_core sweep --task adding --timesteps 10,20 --kinds rnn,lstm --seeds 0,1 \\
        --epochs 1 --json
    python -m lstm_core sweep --sample airline --kinds lstm,gru --units 8,16 --seeds 0,1 \\
        --epochs 1 --json
    python -m lstm_core sweep --resume SWEEP_ID       # run the trials not finished yet
    python -m lstm_core sweep ... --address ray://head:10001   # on a Ray cluster

With ``--json`` it prints one JSON object at the end: ``"sweep_id"``, ``"status"``,
``"trials"`` (each with its settings, status and final ``val_loss``) and ``"aggregate"``
(median and IQR over seeds per point). Ctrl-C stops the sweep: pending trials are cancelled,
running ones stop after their epoch and keep it.
"""

from __future__ import annotations

import json
import sys

from lstm_core.cli.common import (
    add_store_options,
    exit_status,
    number,
    store,
    watch,
    workspace,
)
from lstm_core.errors import ConfigError, DataError
from lstm_core.experiments.config import REFERENCE
from lstm_core.fields import COMPARE, SERIES, TRAIN, Field, add_list_options, swept, unique
from lstm_core.model.spec import DEFAULT_LAYERS as DEFAULT_STACK

# The list options, made from the field tables' swept rows: a comparison's (CompareConfig) and
# a training sweep's (windowing and training); --kinds is the cell kind of every trial (a
# comparison) or of every layer (a training sweep), --units every layer's units there.
COMPARE_LISTS = swept((COMPARE,))
TRAINING_LISTS = swept((SERIES, TRAIN))
KINDS = "kinds"  # the option of the kind axis
COMPARE_KINDS = "rnn,lstm"  # the kinds a comparison sweeps when --kinds is not given
MODEL_AXES = {KINDS: "kind", "units": "units"}  # a training sweep's option -> model axis
TRAINING_ONLY = [
    field for field in TRAINING_LISTS if field.key not in {f.key for f in COMPARE_LISTS}
]
COMPARE_ONLY = [
    field
    for field in COMPARE_LISTS
    if field.key not in MODEL_AXES and field.key not in {f.key for f in TRAINING_LISTS}
]


def _note(field) -> str:
    """Where a list option's value comes from when it is not given."""
    compare = {f.key for f in COMPARE_LISTS}
    training = {f.key for f in TRAINING_LISTS} | set(MODEL_AXES)
    notes = []
    if field.key in compare:
        notes.append(f"comparison: {getattr(REFERENCE, field.name)}")
    if field.key in training:
        notes.append("training: " + ("--layers" if field.key in MODEL_AXES else "the sample's"))
    return f"({'; '.join(notes)})"


def add_parsers(commands) -> None:
    """Add ``sweep`` to ``commands``, an ``add_subparsers()`` object."""
    sweep = commands.add_parser(
        "sweep",
        help="run a comparison or a training run over axes of settings and seeds, on Ray",
        description="Expand the settings into trials (every combination of the options given "
        "several values, times the seeds), run them at once on Ray (local, or --address / "
        "RAY_ADDRESS) and keep each as a run of the store. Without --sample/--data: the "
        "vanishing-gradient comparison; with one: a training run on that data, each trial "
        "scored on the test split beside the naive forecast, its model kept.",
        epilog="Training sweep: --sample NAME (or --data FILE --targets COL --lookback N) "
        "--layers STACK, and lists for --kinds (every layer's kind), --units (every layer's "
        "units), "
        + ", ".join(field.option for field in TRAINING_LISTS)
        + ", --seeds; other settings are the sample's own, as with 'train'. A sweep on a "
        "file resumes with --resume ID --data FILE. Comparison-only: "
        + ", ".join(field.option for field in COMPARE_ONLY)
        + ".",
    )
    add_store_options(sweep)
    source = sweep.add_mutually_exclusive_group()
    source.add_argument("--sample", metavar="NAME", help="train on a bundled sample, e.g. airline")
    source.add_argument("--data", metavar="FILE.csv", help="train on a CSV file")
    sweep.add_argument("--targets", nargs="+", metavar="COL", help="--data: column(s) to predict")
    sweep.add_argument("--layers", help=f"training: the layer stack ({DEFAULT_STACK})")
    sweep.add_argument(
        "--kinds",
        metavar="LIST",
        help=f"comma-separated cell kinds (comparison: {COMPARE_KINDS}; training: --layers)",
    )
    add_list_options(sweep, unique([*COMPARE_LISTS, *TRAINING_LISTS]), _note)
    sweep.add_argument("--seeds", default="0", metavar="LIST", help="comma-separated seeds (0)")
    sweep.add_argument("--name", default="", help="a label for the sweep")
    sweep.add_argument("--resume", metavar="SWEEP_ID", help="run a stored sweep's missing trials")
    sweep.add_argument(
        "--address",
        help="a Ray cluster's address (default: $RAY_ADDRESS, else a local Ray of this "
        "machine's cores, at most LSTM_LAB_MAX_CONCURRENT_JOBS)",
    )
    sweep.add_argument("--json", action="store_true", help="print one JSON object at the end")
    sweep.set_defaults(func=sweep_command)


def parse_spec(args, rows=None):
    """The ``SweepSpec`` of the parsed options: a training sweep with ``--sample`` or
    ``--data`` (whose rows, ``_rows(args)``, may be given), else a comparison."""
    import dataclasses

    from lstm_core.sweeps import KIND_AXIS, SweepSpec

    if args.sample is not None or args.data is not None:
        return _training_spec(args, _rows(args) if rows is None else rows)
    training_only = [
        field.option for field in TRAINING_ONLY if getattr(args, field.key) is not None
    ]
    training_only += [option for option in ("--layers", "--targets") if _given(args, option)]
    if training_only:
        raise ConfigError(
            f"{', '.join(training_only)} set a training sweep; add --sample NAME or --data "
            "FILE, or leave them out to sweep the comparison."
        )
    axes = [(KIND_AXIS, _values(args.kinds or COMPARE_KINDS, "--kinds", str))]
    base = {}
    for field in COMPARE_LISTS:
        text = getattr(args, field.key)
        values = _values(text or str(getattr(REFERENCE, field.name)), field.option, field.kind)
        if len(values) > 1:
            axes.append((field.name, values))
        else:
            base[field.name] = values[0]
    seeds = _values(args.seeds, "--seeds", int)
    base_config = dataclasses.replace(REFERENCE, **base)
    return SweepSpec(base=base_config, axes=tuple(axes), seeds=seeds, name=args.name)


def _given(args, option: str) -> bool:
    return getattr(args, option.removeprefix("--")) is not None


def _training_spec(args, rows):
    """A training sweep: the data's experiment, as ``train`` would run it, and the axes."""
    from lstm_core.sweeps import KIND_AXIS, SweepSpec
    from lstm_core.sweeps.training import trial_experiment

    given = [field.option for field in COMPARE_ONLY if getattr(args, field.key) is not None]
    if given:
        raise ConfigError(
            f"{', '.join(given)} set the comparison, not a training sweep; leave them out, or "
            "drop --sample/--data to sweep the comparison."
        )
    lists = [(option, f"--{option}", axis, str if axis == KIND_AXIS else int)
             for option, axis in MODEL_AXES.items()]  # fmt: skip
    lists += [(field.key, field.option, field.name, field) for field in TRAINING_LISTS]
    base, axes = _training_base(args, rows), []
    for dest, option, name, kind in lists:
        text = getattr(args, dest)
        if text is None:
            continue
        values = _values(text, option, kind)
        if len(values) > 1:
            axes.append((name, values))
        else:
            base = trial_experiment(base, {name: values[0]})
    seeds = _values(args.seeds, "--seeds", int)
    return SweepSpec(base=base, axes=tuple(axes), seeds=seeds, name=args.name)


def _training_base(args, rows):
    """The experiment ``train`` would run on ``--sample`` / ``--data``, before the lists."""
    from lstm_core.experiment import make_experiment

    window = {}
    if args.data is not None:
        if args.targets is None or args.lookback is None:
            raise DataError("--data needs --targets and --lookback; see --help.")
        lookback = _values(args.lookback, "--lookback", int)[0]
        window = {"features": args.targets, "targets": args.targets, "lookback": lookback}
    setup = make_experiment(args.sample, args.data, frame=rows, window=window, layers=args.layers)
    return setup.experiment


def _rows(args):
    """The rows of ``--sample`` or ``--data``; None for a comparison."""
    if args.data is not None:
        from lstm_core.data import load_csv

        return load_csv(args.data)
    if args.sample is not None:
        from lstm_core.samples import load_sample

        return load_sample(args.sample)
    return None


def sweep_command(args) -> int:
    """Run the sweep, print each trial as it ends, then the aggregate."""
    from lstm_core.sweeps import SweepJob, aggregate

    the_store = store(args)
    data_rows = _rows(args)  # loaded once: windowed for the spec, then sent to the trials
    options = {"workspace": workspace(args), "address": args.address, "rows": data_rows}
    if args.resume:
        job = SweepJob.resume(the_store, args.resume, **options)
    else:
        job = SweepJob(parse_spec(args, data_rows), the_store, **options)
    job.start()
    final = watch(job, _trial_printer(quiet=args.json))
    rows = aggregate(list(final.trials))
    if args.json:
        print(json.dumps({
            "sweep_id": final.sweep_id,
            "status": final.status,
            "trials": list(final.trials),
            "aggregate": rows,
        }), flush=True)  # fmt: skip
    else:
        _print_aggregate(final, rows)
    if final.status == "finished" and final.count("failed"):
        print(f"error: {final.count('failed')} trial(s) failed", file=sys.stderr)
        return 1
    return exit_status(final)


def _values(text: str, option: str, kind) -> tuple:
    """``"10,20"`` -> ``(10, 20)``; ``kind`` is a type or a ``Field`` (whose conversion to
    the engine's value applies: ``--clipnorm 0`` is no clipping)."""
    field = kind if isinstance(kind, Field) else None
    kind = field.kind if field else kind
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    try:
        values = tuple(kind(part) for part in parts)
    except ValueError:
        raise ConfigError(
            f"{option} must be comma-separated {kind.__name__} values, got {text!r}; e.g. "
            f"{option} 1,2."
        ) from None
    if not values:
        raise ConfigError(f"{option} needs at least one value, got {text!r}.")
    return tuple(field.to_engine(value) for value in values) if field else values


def _trial_printer(quiet: bool):
    """``show(snapshot)`` for ``watch``: each trial once, as it ends."""
    printed: set[str] = set()

    def show(snapshot) -> None:
        for trial in snapshot.trials:
            if trial["status"] in ("pending", "running") or trial["trial"] in printed:
                continue
            printed.add(trial["trial"])
            if not quiet:
                error = f" ({trial['error']})" if trial["error"] else ""
                print(
                    f"{len(printed)}/{len(snapshot.trials)} {trial['trial']}: {trial['status']}, "
                    f"val_loss {number(trial['val_loss'])}{error}",
                    flush=True,
                )

    return show


def _print_aggregate(final, rows: list[dict]) -> None:
    print(f"\nsweep {final.sweep_id}: {final.status}, {final.elapsed_s:.0f} s")
    for row in rows:
        point = ", ".join(
            f"{name}={value}" for name, value in row.items() if "_" not in name and name != "seeds"
        )
        print(
            f"{point}: val_loss median {number(row['val_loss_median'])} "
            f"(IQR {number(row['val_loss_q25'])}..{number(row['val_loss_q75'])}) over "
            f"{row['seeds']} seed(s)"
        )
