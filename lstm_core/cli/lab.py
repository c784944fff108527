"""The vanishing-gradient lab's ``vanishing`` and ``compare`` commands of ``python -m lstm_core``.

``lstm_core.cli`` calls ``add_parsers`` to register them; each handler returns the exit status,
and a ``LabError`` it raises becomes exit status 2 and one line on stderr there.

    python -m lstm_core vanishing --kinds rnn,lstm --timesteps 100 --epochs 20
    python -m lstm_core compare               # the reference setting
    python -m lstm_core compare --task copy --timesteps 50 --epochs 10 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json

from lstm_core.cli.common import exit_status, watch
from lstm_core.errors import ConfigError
from lstm_core.experiments.config import REFERENCE, CompareConfig
from lstm_core.experiments.gradients import gradient_reach
from lstm_core.experiments.tasks import SOLVED_ERROR, differentiated_loss
from lstm_core.fields import COMPARE, add_options, overrides

# What ``vanishing`` profiles with no options: three kinds at initialisation (--epochs: after
# training too); ``compare`` trains the reference setting.
VANISHING = dataclasses.replace(REFERENCE, kinds=("rnn", "lstm", "gru"), epochs=0)
ROWS = 12  # rows of a long profile printed: evenly spaced steps, first and last included


def add_parsers(commands) -> None:
    """Add ``vanishing`` and ``compare`` to ``commands``, an ``add_subparsers()`` object."""
    vanishing = commands.add_parser(
        "vanishing",
        help="print ||dL/dh_t|| per step for each cell kind, untrained and trained",
        description="Measure how far back the loss gradient reaches: ||dL/dh_t|| of the first "
        "recurrent layer at every step, from one backward pass, for each kind at "
        "initialisation and, with --epochs, after training on the task.",
    )
    _add_comparison_options(vanishing, VANISHING)
    vanishing.add_argument(
        "--rows", type=int, default=ROWS, metavar="R", help=f"steps printed ({ROWS})"
    )
    vanishing.set_defaults(func=vanishing_command)

    compare = commands.add_parser(
        "compare",
        help="train cell kinds side by side on a long-dependency task",
        description="Train each kind on the same data, optimizer, clipping and seed and print "
        "the validation loss per epoch next to the remember-nothing baseline. With no options "
        "it runs the reference setting: adding problem, 100 steps, 32 units, 5000/1000 "
        "sequences, Adam 0.005, clipnorm 1.0, batch 50, 20 epochs.",
    )
    _add_comparison_options(compare, REFERENCE)
    compare.set_defaults(func=compare_command)


def _add_comparison_options(parser: argparse.ArgumentParser, base: CompareConfig) -> None:
    """An option per row of ``lstm_core.fields.COMPARE`` (a left-out one is ``base``'s, kept as
    ``args.base``), the kinds, and ``--json``."""
    parser.add_argument(
        "--kinds",
        type=_kinds,
        default=base.kinds,
        help=f"cell kinds, comma separated, of rnn, lstm, gru (default: {','.join(base.kinds)})",
    )
    add_options(parser, (COMPARE,), base={COMPARE.name: base})
    parser.set_defaults(base=base)
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")


def comparison_of(args) -> CompareConfig:
    """The comparison the parsed ``vanishing`` or ``compare`` arguments ask for: the command's
    base (``args.base``) with the kinds and every setting given."""
    given = overrides(args, (COMPARE,))[COMPARE.name]
    return dataclasses.replace(args.base, kinds=args.kinds, **given)


def _kinds(text: str) -> tuple[str, ...]:
    """``"rnn,lstm"`` -> ``("rnn", "lstm")``; names are checked with the rest of the config."""
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def vanishing_command(args) -> int:
    """Profile each kind untrained and, with ``--epochs N``, after N epochs."""
    if args.rows < 2:
        raise ConfigError(
            f"--rows must be at least 2 (the first and the last step), got {args.rows}."
        )
    config = comparison_of(args)
    return _run(config, args.json, lambda result: _print_profiles(result, args.rows))


def compare_command(args) -> int:
    """Train each kind and print its validation loss per epoch next to the baseline."""
    config = comparison_of(args)
    return _run(config, args.json, _print_losses)


def _run(config: CompareConfig, as_json: bool, report) -> int:
    """Run ``config`` as a ``CompareJob``, print each epoch as it ends, then the report.

    Ctrl-C stops the job after the epoch in progress; what was done is still reported.
    """
    from lstm_core.experiments.job import CompareJob

    job = CompareJob(config).start()  # checks config first: a LabError is exit status 2
    final = watch(job, _loss_printer(config, quiet=as_json))
    if final.status != "failed":
        if as_json:
            print(json.dumps(final.result.to_dict()), flush=True)
        else:
            report(final.result)
    return exit_status(final)


def _loss_printer(config: CompareConfig, quiet: bool):
    """``show(snapshot)`` for ``watch``: each kind's epochs as they end."""
    printed = {kind: 0 for kind in config.kinds}

    def show(snapshot) -> None:
        for kind, losses in snapshot.val_loss.items():
            for epoch in range(printed[kind], len(losses)):
                if not quiet:
                    print(
                        f"{kind} epoch {epoch + 1}/{config.epochs} val_loss={losses[epoch]:.4f} "
                        f"(baseline {snapshot.baseline:.4f})",
                        flush=True,
                    )
            printed[kind] = len(losses)

    return show


def _print_losses(result) -> None:
    """A table of validation loss per epoch, a column per kind, then time and final loss."""
    config, cells = result.config, result.results
    print(
        f"\n{config.task} problem, {config.timesteps} steps, {config.units} units; "
        f"baseline {result.baseline:.4f} (remember nothing)"
    )
    print("epoch  " + "  ".join(f"{kind:>8}" for kind in cells))
    for epoch in range(max((len(cell.val_loss) for cell in cells.values()), default=0)):
        values = [
            cell.val_loss[epoch] if epoch < len(cell.val_loss) else None for cell in cells.values()
        ]
        print(f"{epoch + 1:>5}  " + "  ".join(_cell(value) for value in values))
    for kind, cell in cells.items():
        final = cell.val_loss[-1] if cell.val_loss else float("nan")
        solved = (
            "" if cell.solved is None else f", {cell.solved:.0%} solved (|error| < {SOLVED_ERROR})"
        )
        print(
            f"{kind}: final val_loss {final:.4f} ({final / result.baseline:.0%} of the "
            f"baseline){solved}, {cell.wall_s:.1f} s, {cell.params} weights"
        )


def _print_profiles(result, rows: int) -> None:
    """``||dL/dh_t||`` per kind and profiled epoch, at ``rows`` evenly spaced steps."""
    columns = {
        f"{kind}@{epoch}": profile["dL_dh"]
        for kind, cell in result.results.items()
        for epoch, profile in cell.profiles.items()
    }
    if not columns:
        print("stopped before the first profile")
        return
    timesteps = len(next(iter(columns.values())))
    shown = sorted({round(i * (timesteps - 1) / (rows - 1)) for i in range(rows)})
    print(
        f"||dL/dh_t|| of the first layer, mean over {result.config.profile_samples} "
        f"validation sequences ({result.config.task} problem, "
        f"{differentiated_loss(result.config.task)}; kind@epoch, 0 = untrained)"
    )
    print("    t  " + "  ".join(f"{name:>10}" for name in columns))
    for t in shown:
        print(f"{t:>5}  " + "  ".join(f"{values[t]:>10.3g}" for values in columns.values()))
    for kind, cell in result.results.items():
        for epoch, profile in cell.profiles.items():
            reach = gradient_reach(profile)
            line = f"{kind}@{epoch}: ||dL/dh_0|| / ||dL/dh_T-1|| = {reach:.3g}"
            if "forget_gate" in profile:
                line += f", mean forget gate {profile['forget_gate'].mean():.3f}"
            print(line)


def _cell(value) -> str:
    return f"{'-':>8}" if value is None else f"{value:>8.4f}"
