"""``python -m lstm_core train``: train on a CSV file or a bundled sample and keep the run."""

from __future__ import annotations

import json

from lstm_core.cli.common import (
    add_store_options,
    exit_status,
    number,
    store,
    watch,
    workspace,
)
from lstm_core.errors import DataError
from lstm_core.fields import SEQUENCES, SERIES, TRAIN, add_options, overrides
from lstm_core.samples import SAMPLE_TRAIN_FIELDS

# Every windowing and training setting is an option (default None: not given).
OPTION_TABLES = (SERIES, SEQUENCES, TRAIN)


def add_parsers(commands) -> None:
    """Add ``train`` to ``commands``, an ``add_subparsers()`` object."""
    from lstm_core.model import DEFAULT_LAYERS, LAYER_SYNTAX

    train = commands.add_parser(
        "train",
        help="train a recurrent model on a CSV file or a sample and keep the run",
        description="Train a stack of recurrent layers, print a line per epoch, keep the run. "
        "With --sample NAME and no other flags it trains what the app trains for that sample "
        "(its windowing, epochs and batch size, the default stack); each flag given changes "
        "its one setting.",
        epilog=f"Layers: {LAYER_SYNTAX}.",
    )
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--data",
        metavar="FILE.csv",
        help="a CSV file, one row per time step; give --targets and --lookback (the features "
        "are the targets unless given)",
    )
    source.add_argument("--sample", metavar="NAME", help="a bundled sample, e.g. airline")
    train.add_argument(
        "--layers",
        help=f"the layer stack, e.g. 'lstm:64:seq,lstm:32' (default: {DEFAULT_LAYERS})",
    )
    # Left out, a setting is the app's: the sample's own, else the first guess or the default.
    add_options(train, OPTION_TABLES, note=_sample_note)
    train.add_argument(
        "--distribute",
        choices=("mirrored",),
        help="tf.distribute.MirroredStrategy over all local GPUs; --batch-size is per GPU",
    )
    train.add_argument("--json", action="store_true", help="print one JSON object at the end")
    add_store_options(train)
    train.set_defaults(func=train_command)


def _sample_note(table, field) -> str:
    """What a left-out option is with ``--sample``, before the default: the sample's own
    windowing, epochs and batch size (``lstm_core.samples.SAMPLE_TRAIN_FIELDS``)."""
    own = table.part == "window" or field.name in SAMPLE_TRAIN_FIELDS
    return "the sample's own" if own else ""


def train_command(args) -> int:
    """Make the experiment of ``--sample``/``--data`` and the flags given, train it, report."""
    from lstm_core import backend
    from lstm_core.data import window_to_dict
    from lstm_core.model import format_layers
    from lstm_core.train import TrainingJob

    setup = experiment_of(args)
    experiment = setup.experiment
    run_store = store(args)
    job = TrainingJob(
        setup.windows,
        experiment.model,
        experiment.train,
        store=run_store,
        workspace=workspace(args),
        dataset={"name": args.sample or args.data, **experiment.data},
        window_spec=experiment.window,
        distribute=args.distribute,
    )
    final = watch(job.start(), _printer(args.json))
    run = run_store.get_run(final.run_id, workspace(args)) if final.run_id else None
    report = {
        "run_id": final.run_id,
        "status": final.status,
        "error": final.error,
        "backend": backend.name(),
        "device": backend.device_kind(),
        "device_line": final.device,
        "epochs": experiment.train.epochs,
        "batch_size": experiment.train.batch_size,
        "layers": format_layers(experiment.model.layers),
        "window": window_to_dict(experiment.window),
        "history": json.loads(final.history.to_json(orient="records")),
        "test_metrics": job.result.test_metrics if job.result else None,
        "model_path": str(run.model_path) if run and run.model_path else None,
    }
    if args.json:
        print(json.dumps(report), flush=True)
    else:
        _print_report(report, final)
    return exit_status(final)


def given_settings(args) -> dict[str, dict]:
    """The settings the command line gave, per config: ``{"series": {...}, "sequences":
    {...}, "train": {...}}`` (``lstm_core.fields.overrides``), to lay over a base's own."""
    return overrides(args, OPTION_TABLES)


def experiment_of(args):
    """The ``lstm_core.experiment.Setup`` the parsed ``train`` arguments ask for: what the app
    trains on ``--sample`` (or on ``--data``, whose targets and lookback must be given; its
    features are the targets unless given), with the flags given changing it."""
    from lstm_core.experiment import make_experiment

    given = given_settings(args)
    window = _window_settings(args, given)
    return make_experiment(
        args.sample, args.data, window=window, layers=args.layers, train=given["train"]
    )


def _window_settings(args, given: dict[str, dict]) -> dict:
    """The window settings given, for the kind of windows the data has: a sample's own kind
    (series or labelled sequences), a file's series."""
    from lstm_core.data import WindowSpec
    from lstm_core.experiment import base_settings

    series, sequences = given["series"], given["sequences"]
    is_series = args.data is not None or isinstance(base_settings(args.sample)[0], WindowSpec)
    own, other = (series, sequences) if is_series else (sequences, series)
    foreign = sorted(set(other) - set(own))
    if foreign:
        options = [(SEQUENCES if is_series else SERIES)[name].option for name in foreign]
        kind = "a series" if is_series else "labelled sequences"
        raise DataError(
            f"{args.sample or args.data!r} is windowed as {kind}, whose windows have no such "
            f"setting; drop {', '.join(options)}."
        )
    if args.data is None:
        return own
    window = {"features": own.get("targets"), **own}  # the targets, by default
    for name in ("targets", "lookback"):
        if name not in window:
            raise DataError(f"--data needs --{name}; see --help.")
    return window


def _printer(quiet: bool):
    """``show(snapshot)`` for ``watch``: the device once, then each epoch as it ends."""
    printed, device = 0, ""

    def show(snapshot) -> None:
        nonlocal printed, device
        if not quiet and snapshot.device != device:
            device = snapshot.device
            print(f"training on {device}", flush=True)  # --distribute's fallback note too
        if not quiet:
            for record in snapshot.history.iloc[printed:].to_dict("records"):
                print(_epoch_line(record, snapshot.epochs), flush=True)
        printed = len(snapshot.history)

    return show


def _epoch_line(record: dict, epochs: int) -> str:
    values = " ".join(f"{name}={value:.4g}" for name, value in record.items() if name != "epoch")
    return f"epoch {record['epoch']}/{epochs} {values}"


def _print_report(report: dict, final) -> None:
    from lstm_core.forecast.verdict import verdict

    print(f"{final.status} in {final.elapsed_s:.1f} s")
    for line in _metric_lines(report["test_metrics"] or {}):
        print(line)
    sentence = verdict(report["test_metrics"])
    if sentence:
        print(sentence)
    if report["run_id"]:
        print(
            f"run {report['run_id']}"
            + (f", model {report['model_path']}" if report["model_path"] else "")
        )


def _metric_lines(metrics: dict) -> list[str]:
    """The test metrics, one line each: the model, then each baseline, per target."""
    if "accuracy" in metrics:
        lines = [f"test accuracy={number(metrics['accuracy'])}"]
        majority = (metrics.get("baselines") or {}).get("majority")
        if majority:
            lines.append(
                f"  majority class {majority['class']!r} accuracy={number(majority['accuracy'])}"
            )
        return lines
    lines = []
    several = len(metrics.get("per_target", {})) > 1
    for name, scores in metrics.get("per_target", {}).items():
        prefix = f"test {name}" if several else "test"
        lines.append(f"{prefix} rmse={number(scores['rmse'])} mae={number(scores['mae'])}")
        for baseline, errors in (scores.get("baselines") or {}).items():
            if errors is None:
                lines.append(f"  {baseline}: none (season {metrics['season']['note']})")
                continue
            period = f" period={errors['period']}" if "period" in errors else ""
            lines.append(
                f"  {baseline}{period} rmse={number(errors['rmse'])} mae={number(errors['mae'])}"
            )
        if "mase" in scores:
            lines.append(
                f"  mase={number(scores['mase'])} (in-sample period {scores['mase_period']})"
            )
            lines.append(f"  skill_vs_naive={number(scores['skill_vs_naive'])}")
    left_out = metrics.get("left_out", {}).get("test")
    if left_out:
        lines.append(f"  {left_out} test windows left out: their targets were filled in")
    return lines
