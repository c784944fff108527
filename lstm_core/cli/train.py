"""``python -m lstm_core train``: train on a CSV file or a bundled sample and keep the run."""

from __future__ import annotations

import dataclasses
import json

from lstm_core.cli.common import (
    add_store_options,
    exit_status,
    from_args,
    number,
    store,
    watch,
    workspace,
)
from lstm_core.errors import DataError


def add_parsers(commands) -> None:
    """Add ``train`` to ``commands``, an ``add_subparsers()`` object."""
    from lstm_core.model import LAYER_SYNTAX

    train = commands.add_parser(
        "train",
        help="train a recurrent model on a CSV file or a sample and keep the run",
        description="Train a stack of recurrent layers, print a line per epoch, keep the run.",
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
        "--layers", default="lstm:32", help="the layer stack, e.g. 'lstm:64:seq,lstm:32'"
    )
    train.add_argument("--epochs", type=int, default=20, metavar="E", help="epochs (20)")
    train.add_argument("--batch-size", type=int, default=64, metavar="B", help="batch size (64)")
    train.add_argument(
        "--seed", type=int, default=0, metavar="S", help="weights and shuffle seed (0)"
    )
    train.add_argument("--lr", type=float, default=1e-3, help="learning rate (0.001)")
    train.add_argument("--optimizer", default="adam", help="adam, rmsprop or sgd (adam)")
    train.add_argument("--loss", default="auto", help="auto, mse, mae or huber (auto)")
    train.add_argument(
        "--patience", type=int, default=0, help="early stopping after N epochs (0: off)"
    )
    train.add_argument(
        "--clipnorm", type=float, default=1.0, help="gradient norm clip; 0 turns it off (1.0)"
    )
    train.add_argument(
        "--distribute",
        choices=("mirrored",),
        help="tf.distribute.MirroredStrategy over all local GPUs; --batch-size is per GPU",
    )
    train.add_argument("--json", action="store_true", help="print one JSON object at the end")
    add_store_options(train)
    train.set_defaults(func=train_command)


def train_command(args) -> int:
    from lstm_core.model import ModelSpec, parse_layers
    from lstm_core.train import TrainConfig, TrainingJob

    windows, window_spec, dataset = _windows(args)
    model_spec = ModelSpec(
        layers=parse_layers(args.layers),
        head=windows.task,
        outputs=windows.n_outputs,
        mask_value=windows.mask_value,
    )
    config = from_args(TrainConfig, args, learning_rate=args.lr, clipnorm=args.clipnorm or None)
    run_store = store(args)
    job = TrainingJob(
        windows,
        model_spec,
        config,
        store=run_store,
        workspace=workspace(args),
        dataset=dataset,
        window_spec=window_spec,
        distribute=args.distribute,
    )
    final = watch(job.start(), _printer(args.json))
    run = run_store.get_run(final.run_id, workspace(args)) if final.run_id else None
    report = {
        "run_id": final.run_id,
        "status": final.status,
        "error": final.error,
        "history": json.loads(final.history.to_json(orient="records")),
        "test_metrics": job.result.test_metrics if job.result else None,
        "model_path": str(run.model_path) if run and run.model_path else None,
    }
    if args.json:
        print(json.dumps(report), flush=True)
    else:
        _print_report(report, final)
    return exit_status(final)


def _windows(args):
    """``(windows, spec, dataset name)`` from ``--data`` or ``--sample`` and the window flags."""
    from lstm_core.data import WindowSpec, load_csv, make_sequence_windows, make_windows
    from lstm_core.samples import SAMPLES, load_sample

    flags = {
        "targets": args.targets,
        "features": args.features or args.targets,
        "lookback": args.lookback,
        "horizon": args.horizon,
        "missing": args.missing,
        "season": args.season,
    }
    given = {name: value for name, value in flags.items() if value is not None}
    if args.sample is not None:
        frame, spec = load_sample(args.sample), SAMPLES[args.sample].spec
        if not isinstance(spec, WindowSpec):
            if given:
                raise DataError(
                    f"Sample {args.sample!r} is a set of labelled sequences with its own "
                    f"settings; drop {', '.join('--' + name for name in given)}."
                )
            return make_sequence_windows(frame, spec), spec, args.sample
        spec = dataclasses.replace(spec, **given)
        return make_windows(frame, spec), spec, args.sample
    for name in ("targets", "lookback"):
        if name not in given:
            raise DataError(f"--data needs --{name}; see --help.")
    spec = WindowSpec(**given)
    return make_windows(load_csv(args.data), spec), spec, args.data


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
