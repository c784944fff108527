"""``python -m lstm_core``: the engine without the dashboard, for scripts and larger runs.

Subcommands: ``train`` (train on a CSV file or a bundled sample and keep the run), ``runs``
(``list``, ``show ID``, ``export ID DIR``), and the vanishing-gradient lab's ``vanishing``
and ``compare`` (``lstm_core.experiments.cli``). Bad input (a missing column, a bad CSV, an
impossible layer string, an out-of-range setting) ends with exit status 2 and one line on
stderr, never a traceback; a training run that fails ends with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time

from lstm_core.errors import DataError, LabError

EXIT_FAILED = 1  # the run failed (diverged, out of memory, ...)
EXIT_BAD_INPUT = 2  # argparse's status for bad arguments; used for every LabError too
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C, the shell's 128 + SIGINT
POLL_S = 0.1  # how often the terminal reads the job's progress


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line, like every other bad input."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    from lstm_core.experiments.cli import add_parsers
    from lstm_core.model import LAYER_SYNTAX

    parser = _Parser(
        prog="python -m lstm_core",
        description="LSTM Lab's engine without the dashboard: train recurrent models, keep "
        "and export the runs, and run the vanishing-gradient lab.",
        epilog="Example: python -m lstm_core train --sample airline --layers "
        "'lstm:32:seq,lstm:16' --epochs 20",
    )
    _add_store_options(parser, argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_train(commands, LAYER_SYNTAX)
    _add_runs(commands)
    add_parsers(commands)
    return parser


def _add_store_options(parser: argparse.ArgumentParser, default) -> None:
    # On the main parser and on each subcommand, so `--store DIR` may come before or after it.
    parser.add_argument(
        "--store",
        metavar="DIR",
        default=default,
        help="run store folder (default: $LSTM_LAB_STORE, else the per-user data folder)",
    )
    parser.add_argument(
        "--workspace",
        default=default,
        help="the store's workspace (default: 'local', the one the app uses on this machine)",
    )


def _add_train(commands, layer_syntax: str) -> None:
    train = commands.add_parser(
        "train",
        help="train a recurrent model on a CSV file or a sample and keep the run",
        description="Train a stack of recurrent layers, print a line per epoch, keep the run.",
        epilog=f"Layers: {layer_syntax}.",
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
    _add_store_options(train, argparse.SUPPRESS)
    train.set_defaults(func=train_command)


def _add_runs(commands) -> None:
    runs = commands.add_parser("runs", help="list, show or export kept runs")
    _add_store_options(runs, argparse.SUPPRESS)
    actions = runs.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every run: id, status, dataset, final loss")
    show = actions.add_parser("show", help="one run: settings, history, test metrics")
    show.add_argument("run_id", metavar="ID")
    export = actions.add_parser("export", help="write config JSON, history CSV and model")
    export.add_argument("run_id", metavar="ID")
    export.add_argument("folder", metavar="DIR")
    for action in (listing, show, export):
        _add_store_options(action, argparse.SUPPRESS)
    for action in (listing, show):
        action.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=runs_list)
    show.set_defaults(func=runs_show)
    export.set_defaults(func=runs_export)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LabError as error:
        print(f"error: {_one_line(str(error))}", file=sys.stderr)
        return EXIT_BAD_INPUT


# --- train ----------------------------------------------------------------------------------


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
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        learning_rate=args.lr,
        loss=args.loss,
        seed=args.seed,
        patience=args.patience,
        clipnorm=args.clipnorm or None,
    )
    store = _store(args)
    job = TrainingJob(
        windows,
        model_spec,
        config,
        store=store,
        workspace=_workspace(args),
        dataset=dataset,
        window_spec=window_spec,
        distribute=args.distribute,
    )
    final = _watch(job.start(), quiet=args.json)
    run = store.get_run(final.run_id, _workspace(args)) if final.run_id else None
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
    if final.status == "failed":
        if not args.json:
            print(f"error: {_one_line(final.error)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_INTERRUPTED if final.status == "stopped" else 0


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


def _watch(job, quiet: bool):
    """Print each epoch as it ends until the job does; Ctrl-C stops it. Returns the end."""
    printed, device = 0, ""
    while True:
        try:
            snapshot = job.wait(POLL_S)
        except KeyboardInterrupt:
            job.stop()
            continue
        if not quiet and snapshot.device != device:
            device = snapshot.device
            print(f"training on {device}", flush=True)  # --distribute's fallback note too
        if not quiet:
            for record in snapshot.history.iloc[printed:].to_dict("records"):
                print(_epoch_line(record, snapshot.epochs), flush=True)
        printed = len(snapshot.history)
        if snapshot.done:
            return snapshot


def _epoch_line(record: dict, epochs: int) -> str:
    values = " ".join(f"{name}={value:.4g}" for name, value in record.items() if name != "epoch")
    return f"epoch {record['epoch']}/{epochs} {values}"


def _print_report(report: dict, final) -> None:
    print(f"{final.status} in {final.elapsed_s:.1f} s")
    metrics = report["test_metrics"] or {}
    shown = {name: metrics.get(name) for name in ("rmse", "mae", "accuracy") if name in metrics}
    if shown:
        print("test " + " ".join(f"{name}={_number(value)}" for name, value in shown.items()))
    if report["run_id"]:
        print(
            f"run {report['run_id']}"
            + (f", model {report['model_path']}" if report["model_path"] else "")
        )


# --- runs -----------------------------------------------------------------------------------


def runs_list(args) -> int:
    table = _store(args).list_runs(_workspace(args))
    if args.json:
        print(table.to_json(orient="records", date_format="iso"))
        return 0
    if table.empty:
        print("no runs yet; train one with: python -m lstm_core train --sample airline")
        return 0
    print(f"{'id':12}  {'status':11}  {'created (UTC)':16}  {'epochs':>6}  {'loss':>10}  dataset")
    for row in table.itertuples():
        created = row.created_at.strftime("%Y-%m-%d %H:%M")
        print(
            f"{row.run_id:12}  {row.status:11}  {created:16}  {row.epochs:>6}  "
            f"{_number(row.loss):>10}  {row.dataset}"
        )
    return 0


def runs_show(args) -> int:
    run = _store(args).get_run(args.run_id, _workspace(args))
    summary = {
        "run_id": run.run_id,
        "name": run.name,
        "status": run.status,
        "created_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(run.created_at)),
        "dataset": run.dataset.get("name"),
        "train_config": run.train_config,
        "window_spec": run.window_spec,
        "model_spec": run.model_spec,
        "test_metrics": run.test_metrics,
        "timings": run.timings,
        "error": run.error,
        "model_path": str(run.model_path) if run.model_path else None,
    }
    if args.json:
        summary["history"] = json.loads(run.history.to_json(orient="records"))
        print(json.dumps(summary))
        return 0
    for name, value in summary.items():
        if value is not None:
            print(f"{name}: {json.dumps(value) if isinstance(value, dict) else value}")
    print(run.history.to_string(index=False) if len(run.history) else "no completed epoch")
    return 0


def runs_export(args) -> int:
    for path in _store(args).export_run(args.run_id, args.folder, _workspace(args)):
        print(path)
    return 0


# --- helpers --------------------------------------------------------------------------------


def _store(args):
    from lstm_core.runs import RunStore

    folder = getattr(args, "store", None)
    return RunStore(folder) if folder else RunStore.default()


def _workspace(args) -> str:
    from lstm_core.runs import LOCAL_WORKSPACE

    return getattr(args, "workspace", None) or LOCAL_WORKSPACE


def _number(value) -> str:
    return "-" if value is None or value != value else f"{value:.4g}"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
