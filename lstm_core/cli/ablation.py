"""The ablation lab's ``ablation`` command of ``python -m lstm_core``.

``lstm_core.cli`` calls ``add_parsers`` to register it; the handler returns the exit status,
and a ``LabError`` it raises becomes exit status 2 and one line on stderr there.

    python -m lstm_core ablation                # the reference ablation (about 20 minutes)
    python -m lstm_core ablation --task adding --kinds lstm,cifg,nfg --seeds 0,1 --epochs 1 --json
    python -m lstm_core ablation --ray                 # every variant and seed a trial on Ray
    python -m lstm_core ablation --ray --address ray://head:10001   # on a Ray cluster

With ``--ray`` the ablation runs as a sweep (``lstm_core.sweeps.ablation``): its
trainings at once on this machine's cores (or a Ray cluster), each kept as a run of the store.
"""

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
from lstm_core.experiments.ablation import REFERENCE_ABLATION, AblationConfig
from lstm_core.experiments.tasks import SOLVED_ERROR
from lstm_core.fields import COMPARE, add_options, overrides

DEFAULT = REFERENCE_ABLATION
# The comparison's settings as options (lstm_core.fields.COMPARE; a left-out one is the
# reference ablation's); --seeds sets each training's seed, --kinds the variants.
OPTIONS = COMPARE.without("seed")


def add_parsers(commands) -> None:
    """Add ``ablation`` to ``commands``, an ``add_subparsers()`` object."""
    parser = commands.add_parser(
        "ablation",
        help="train LSTM variants side by side over seeds on a long-dependency task",
        description="Greff et al.'s ablation at a laptop's size: each variant trains on the "
        "same data once per seed; prints the ranked median and spread over seeds of the final "
        "validation loss, the share solved (adding problem) and the gradient reach before and "
        "after training. With no options it runs the reference ablation: adding problem, 50 "
        "steps, 32 units, every variant, seeds 0-4, 8 epochs.",
    )
    parser.add_argument(
        "--kinds",
        type=_names,
        default=DEFAULT.variants,
        help=f"cell kinds, comma separated (default: {','.join(DEFAULT.variants)})",
    )
    parser.add_argument(
        "--seeds",
        type=_seeds,
        default=DEFAULT.seeds,
        help=f"seeds, comma separated (default: {','.join(map(str, DEFAULT.seeds))})",
    )
    add_options(parser, (OPTIONS,), base={OPTIONS.name: DEFAULT.compare})
    parser.add_argument(
        "--ray",
        action="store_true",
        help="run every variant and seed as a trial of a sweep on Ray, at once on the cores "
        "(or the cluster of --address), each kept as a run of the store",
    )
    parser.add_argument(
        "--address",
        help="with --ray: a Ray cluster's address (default: $RAY_ADDRESS, else a local Ray on "
        "this machine's cores)",
    )
    add_store_options(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.set_defaults(func=ablation_command)


def _names(text: str) -> tuple[str, ...]:
    """``"lstm,cifg"`` -> ``("lstm", "cifg")``; names are checked with the rest of the config."""
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def _seeds(text: str) -> tuple:
    """``"0,1"`` -> ``(0, 1)``; a part that is not a whole number stays text, and the config's
    check names it."""
    return tuple(int(part) if part.strip().isdigit() else part for part in _names(text))


def ablation_command(args) -> int:
    """Run the ablation as an ``AblationJob`` (``--ray``: an ``AblationSweepJob``), print each
    run as it ends, then the ranking."""
    from lstm_core.experiments.ablation import AblationJob
    from lstm_core.sweeps.ablation import AblationSweepJob

    settings = overrides(args, (OPTIONS,))[OPTIONS.name]
    config = DEFAULT.replace(**settings, variants=args.kinds, seeds=args.seeds)
    if args.ray:  # checks config first: a LabError is exit status 2
        options = {"workspace": workspace(args), "address": args.address}
        job = AblationSweepJob(config, store(args), **options).start()
    else:
        job = AblationJob(config).start()
    final = watch(job, _run_printer(config, quiet=args.json))
    if final.status != "failed":
        if args.json:
            result = final.result
            print(json.dumps({**result.to_dict(), "summary": result.summary(),
                              "sweep_id": final.sweep_id}), flush=True)  # fmt: skip
        else:
            _print_ranking(final.result)
            if final.sweep_id is not None:
                print(f"sweep {final.sweep_id}: each variant and seed is a run of the store")
    return exit_status(final)


def _run_printer(config: AblationConfig, quiet: bool):
    """``show(snapshot)`` for ``watch``: one line per variant and seed as its training ends."""
    printed = set()

    def show(snapshot) -> None:
        for (variant, seed), losses in snapshot.val_loss.items():
            if len(losses) == config.compare.epochs and (variant, seed) not in printed:
                printed.add((variant, seed))
                if not quiet:
                    print(f"{variant} seed {seed}: final val_loss {losses[-1]:.4f} "
                          f"(baseline {snapshot.baseline:.4f})", flush=True)  # fmt: skip

    return show


def _print_ranking(result) -> None:
    """The ranked table: median and spread of the final loss, solved share, gradient reach."""
    config = result.config
    print(
        f"\n{config.task} problem, {config.compare.timesteps} steps, {config.compare.units} "
        f"units, {config.compare.epochs} epochs, seeds {list(config.seeds)}; baseline {result.baseline:.4f} "
        "(remember nothing)"
    )
    print("rank  cell   median loss  min - max          solved  reach before  reach after")
    for row in result.summary():
        solved = "-" if row["median_solved"] is None else f"{row['median_solved']:.0%}"
        print(
            f"{row['rank']:>4}  {row['variant']:<5}  {row['median_val_loss']:>11.4f}  "
            f"{row['min_val_loss']:.4f} - {row['max_val_loss']:.4f}  {solved:>6}  "
            f"{number(row['reach_before']):>12}  {number(row['reach_after']):>11}"
        )
    if config.task == "adding":
        print(f"solved: share of validation sequences with |error| < {SOLVED_ERROR}")
