"""``python -m lstm_core sweep``: a sweep of the vanishing-gradient lab's comparison, on Ray.

Each option of the comparison takes a comma-separated list; an option given more than one
value becomes an axis of the sweep, one given a single value a setting of its base:

    python -m lstm_core sweep --task adding --timesteps 10,20 --kinds rnn,lstm --seeds 0,1 \\
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
from lstm_core.errors import ConfigError
from lstm_core.experiments.config import REFERENCE

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


def add_parsers(commands) -> None:
    """Add ``sweep`` to ``commands``, an ``add_subparsers()`` object."""
    sweep = commands.add_parser(
        "sweep",
        help="run a comparison over axes of settings and seeds, on Ray",
        description="Expand the comparison's settings into trials (every combination of the "
        "options given several values, times the seeds), run them at once on Ray (local, or "
        "--address / RAY_ADDRESS) and keep each as a run of the store.",
    )
    add_store_options(sweep)
    for option, (name, kind) in OPTIONS.items():
        default = "rnn,lstm" if option == "kinds" else getattr(REFERENCE, name)
        sweep.add_argument(
            "--" + option.replace("_", "-"),
            default=str(default),
            metavar="LIST",
            help=f"comma-separated {kind.__name__} values ({default})",
        )
    sweep.add_argument("--seeds", default="0", metavar="LIST", help="comma-separated seeds (0)")
    sweep.add_argument("--name", default="", help="a label for the sweep")
    sweep.add_argument("--resume", metavar="SWEEP_ID", help="run a stored sweep's missing trials")
    sweep.add_argument(
        "--address",
        help="a Ray cluster's address (default: $RAY_ADDRESS, else "
        "a local Ray on this machine's cores)",
    )
    sweep.add_argument("--json", action="store_true", help="print one JSON object at the end")
    sweep.set_defaults(func=sweep_command)


def parse_spec(args):
    """The ``SweepSpec`` of the parsed options."""
    import dataclasses

    from lstm_core.sweeps import KIND_AXIS, SweepSpec

    base, axes = {}, []
    for option, (name, kind) in OPTIONS.items():
        values = _values(getattr(args, option), option, kind)
        if name == KIND_AXIS or len(values) > 1:
            axes.append((name, values))
        else:
            base[name] = values[0]
    axes.sort(key=lambda axis: axis[0] != KIND_AXIS)  # the cell kind first, as in the keys
    seeds = _values(args.seeds, "seeds", int)
    base_config = dataclasses.replace(REFERENCE, **base)
    return SweepSpec(base=base_config, axes=tuple(axes), seeds=seeds, name=args.name)


def sweep_command(args) -> int:
    """Run the sweep, print each trial as it ends, then the aggregate."""
    from lstm_core.sweeps import SweepJob, aggregate

    the_store = store(args)
    options = {"workspace": workspace(args), "address": args.address}
    if args.resume:
        job = SweepJob.resume(the_store, args.resume, **options)
    else:
        job = SweepJob(parse_spec(args), the_store, **options)
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
