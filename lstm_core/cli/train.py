"""``python -m lstm_core train``: train on a CSV file or a bundled sample and keep the run."""

from __future__ import annotations

import json
from dataclasses import fields

from lstm_core.cli.common import (
    add_store_options,
    exit_status,
    number,
    store,
    watch,
    workspace,
)
from lstm_core.errors import DataError


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
    source.add_argument("--data", metavar="FILE.csv", help="a CSV file, one row per time step")
    source.add_argument("--sample", metavar="NAME", help="a bundled sample, e.g. airline")
    train.add_argument("--targets", nargs="+", metavar="COL", help="column(s) to predict")
    train.add_argument(
        "--features", nargs="+", metavar="COL", help="input columns (default: the targets)"
    )
    train.add_argument("--lookback", type=int, metavar="N", help="steps per window")
    train.add_argument("--horizon", type=int, metavar="H", help="future steps predicted (1)")
    train.add_argument(
        "--missing",
        choices=("error", "drop", "ffill", "interpolate"),
        help="what to do with missing values (error)",
    )
    train.add_argument(
        "--season",
        type=int,
        metavar="N",
        help="rows per season for the seasonal naive yardstick; 0: none (default: from the "
        "date column: hourly 24, daily 7, weekly 52, monthly 12, quarterly 4)",
    )
    train.add_argument(
        "--layers",
        help=f"the layer stack, e.g. 'lstm:64:seq,lstm:32' (default: {DEFAULT_LAYERS})",
    )
    # Left out, a setting is the app's: the sample's own, else TrainConfig's default.
    train.add_argument("--epochs", type=int, metavar="E", help="epochs")
    train.add_argument("--batch-size", type=int, metavar="B", help="batch size")
    train.add_argument("--seed", type=int, metavar="S", help="weights and shuffle seed")
    train.add_argument("--lr", type=float, help="learning rate")
    train.add_argument("--optimizer", help="adam, rmsprop or sgd")
    train.add_argument("--loss", help="auto, mse, mae or huber")
    train.add_argument("--patience", type=int, help="early stopping after N epochs (0: off)")
    train.add_argument("--clipnorm", type=float, help="gradient norm clip; 0 turns it off")
    train.add_argument(
        "--distribute",
        choices=("mirrored",),
        help="tf.distribute.MirroredStrategy over all local GPUs; --batch-size is per GPU",
    )
    train.add_argument("--json", action="store_true", help="print one JSON object at the end")
    add_store_options(train)
    train.set_defaults(func=train_command)


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


def experiment_of(args):
    """The ``lstm_core.experiment.Setup`` the parsed ``train`` arguments ask for: what the app
    trains on ``--sample`` (or on ``--data``, whose targets and lookback must be given), with
    the flags given changing it."""
    from lstm_core.experiment import make_experiment

    if args.data is not None:
        for name in ("targets", "lookback"):
            if getattr(args, name) is None:
                raise DataError(f"--data needs --{name}; see --help.")
    return make_experiment(args.sample, args.data, **_overrides(args))


def _overrides(args) -> dict:
    """``make_experiment``'s overrides from the flags given (``None``: not given).

    ``--features`` defaults to the targets; ``--lr`` is ``learning_rate``; a ``--clipnorm``
    of 0 is no clipping.
    """
    from lstm_core.train.config import TrainConfig

    window = {
        "targets": args.targets,
        "features": args.features or args.targets,
        "lookback": args.lookback,
        "horizon": args.horizon,
        "missing": args.missing,
        "season": args.season,
    }
    train = {field.name: getattr(args, field.name, None) for field in fields(TrainConfig)}
    train["learning_rate"] = args.lr
    train = {name: value for name, value in train.items() if value is not None}
    if args.clipnorm == 0:
        train["clipnorm"] = None  # no clipping
    return {
        "window": {name: value for name, value in window.items() if value is not None},
        "layers": args.layers,
        "train": train,
    }


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
