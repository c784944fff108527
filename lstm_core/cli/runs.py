"""``python -m lstm_core runs list|show ID|export ID DIR``: the kept runs, in a terminal."""

from __future__ import annotations

import json
import time

from lstm_core.cli.common import add_store_options, number, store, workspace


def add_parsers(commands) -> None:
    """Add ``runs`` and its actions to ``commands``, an ``add_subparsers()`` object."""
    runs = commands.add_parser("runs", help="list, show or export kept runs")
    add_store_options(runs)
    actions = runs.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every run: id, status, dataset, final loss")
    show = actions.add_parser("show", help="one run: settings, history, test metrics")
    show.add_argument("run_id", metavar="ID")
    export = actions.add_parser("export", help="write config JSON, history CSV and model")
    export.add_argument("run_id", metavar="ID")
    export.add_argument("folder", metavar="DIR")
    for action in (listing, show, export):
        add_store_options(action)
    for action in (listing, show):
        action.add_argument("--json", action="store_true", help="print JSON")
    listing.set_defaults(func=runs_list)
    show.set_defaults(func=runs_show)
    export.set_defaults(func=runs_export)


def runs_list(args) -> int:
    table = store(args).list_runs(workspace(args))
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
            f"{number(row.loss):>10}  {row.dataset}"
        )
    return 0


def runs_show(args) -> int:
    run = store(args).get_run(args.run_id, workspace(args))
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
    for path in store(args).export_run(args.run_id, args.folder, workspace(args)):
        print(path)
    return 0
