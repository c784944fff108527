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
from lstm_core.model.spec import DEFAULT_LAYERS as DEFAULT_STACK

# option -> (CompareConfig field, type of its values); "kinds" is the kind axis.
OPTIONS = {
    "task": ("task", str),
    "timesteps": ("timesteps", int),
    "kinds": ("kind", str),
    "units": ("units", int),
    "epochs": ("epochs", int),
    "lr": ("learning_rate", float),
    "batch_size": ("batch_size", int),
    "n_train": ("n_train", int),
    "n_val": ("n_val", int),
    "forget_bias": ("forget_bias", str),
}
# A training sweep's list options: option -> (axis of lstm_core.sweeps.training, type).
TRAINING_OPTIONS = {
    "kinds": ("kind", str),
    "units": ("units", int),
    "lookback": ("lookback", int),
    "epochs": ("epochs", int),
    "lr": ("learning_rate", float),
    "batch_size": ("batch_size", int),
}
COMPARE_ONLY = [option for option in OPTIONS if option not in TRAINING_OPTIONS]
# The end of each list option's help: where a training sweep takes its value from.
TRAINING_DEFAULTS = {
    "kinds": "; training: --layers')",
    "units": "; training: --layers')",
    "epochs": "; training: the sample's)",
    "lr": "; training: the sample's)",
    "batch_size": "; training: the sample's)",
}


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
        "units), --lookback, --epochs, --lr, --batch-size, --seeds; other settings are the "
        "sample's own, as with 'train'. A sweep on a file resumes with --resume ID --data "
        "FILE. Comparison-only: "
        + ", ".join("--" + option.replace("_", "-") for option in COMPARE_ONLY)
        + ".",
    )
    add_store_options(sweep)
    source = sweep.add_mutually_exclusive_group()
    source.add_argument("--sample", metavar="NAME", help="train on a bundled sample, e.g. airline")
    source.add_argument("--data", metavar="FILE.csv", help="train on a CSV file")
    sweep.add_argument("--targets", nargs="+", metavar="COL", help="--data: column(s) to predict")
    sweep.add_argument("--layers", help=f"training: the layer stack ({DEFAULT_STACK})")
    sweep.add_argument(
        "--lookback", metavar="LIST", help="training: comma-separated steps per window"
    )
    for option, (name, kind) in OPTIONS.items():
        default = "rnn,lstm" if option == "kinds" else getattr(REFERENCE, name)
        sweep.add_argument(
            "--" + option.replace("_", "-"),
            metavar="LIST",
            help=f"comma-separated {kind.__name__} values (comparison: {default}"
            + TRAINING_DEFAULTS.get(option, ")"),
        )
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
    if args.layers is not None or args.lookback is not None or args.targets is not None:
        raise ConfigError(
            "--layers, --lookback and --targets set a training sweep; add --sample NAME or "
            "--data FILE, or leave them out to sweep the comparison."
        )
    base, axes = {}, []
    for option, (name, kind) in OPTIONS.items():
        text = getattr(args, option)
        if text is None:
            text = "rnn,lstm" if option == "kinds" else str(getattr(REFERENCE, name))
        values = _values(text, option, kind)
        if name == KIND_AXIS or len(values) > 1:
            axes.append((name, values))
        else:
            base[name] = values[0]
    axes.sort(key=lambda axis: axis[0] != KIND_AXIS)  # the cell kind first, as in the keys
    seeds = _values(args.seeds, "seeds", int)
    base_config = dataclasses.replace(REFERENCE, **base)
    return SweepSpec(base=base_config, axes=tuple(axes), seeds=seeds, name=args.name)


def _training_spec(args, rows):
    """A training sweep: the data's experiment, as ``train`` would run it, and the axes."""
    from lstm_core.sweeps import SweepSpec
    from lstm_core.sweeps.training import trial_experiment

    given = [option for option in COMPARE_ONLY if getattr(args, option) is not None]
    if given:
        raise ConfigError(
            f"{', '.join('--' + o.replace('_', '-') for o in given)} set the comparison, not a "
            "training sweep; leave them out, or drop --sample/--data to sweep the comparison."
        )
    base, axes = _training_base(args, rows), []
    for option, (name, kind) in TRAINING_OPTIONS.items():
        text = getattr(args, option)
        if text is None:
            continue
        values = _values(text, option, kind)
        if len(values) > 1:
            axes.append((name, values))
        else:
            base = trial_experiment(base, {name: values[0]})
    seeds = _values(args.seeds, "seeds", int)
    return SweepSpec(base=base, axes=tuple(axes), seeds=seeds, name=args.name)


def _training_base(args, rows):
    """The experiment ``train`` would run on ``--sample`` / ``--data``, before the lists."""
    from lstm_core.experiment import make_experiment

    window = {}
    if args.data is not None:
        if args.targets is None or args.lookback is None:
            raise DataError("--data needs --targets and --lookback; see --help.")
        lookback = _values(args.lookback, "lookback", int)[0]
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


def _values(text: str, option: str, kind: type) -> tuple:
    parts = [part.strip() for part in str(text).split(",") if part.strip()]
    try:
        values = tuple(kind(part) for part in parts)
    except ValueError:
        raise ConfigError(
            f"--{option.replace('_', '-')} must be comma-separated {kind.__name__} values, got "
            f"{text!r}; e.g. --{option.replace('_', '-')} 1,2."
        ) from None
    if not values:
        raise ConfigError(f"--{option.replace('_', '-')} needs at least one value, got {text!r}.")
    return values


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
