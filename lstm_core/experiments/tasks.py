"""Two long-dependency tasks, and the loss of the best guess that remembers nothing.

- The **adding problem** (Hochreiter & Schmidhuber 1997), in the modern form of Le, Jaitly &
  Hinton 2015 and Arjovsky, Shah & Bengio 2016: a value channel uniform in [0, 1] and a marker
  channel with exactly one 1 in each half of the sequence; the target is the sum of the two
  marked values. A model that remembers nothing predicts the mean of the target, 1, and its MSE
  is the variance of a sum of two independent U[0, 1] values: 2 / 12 = 1/6. The paper's own
  criterion counts a sequence as solved when the absolute error is below 0.04.
- The **copy-memory** task (Arjovsky, Shah & Bengio 2016): 10 symbols drawn from 8, then
  ``timesteps - 1`` blanks, a delimiter and 10 more blanks; the model must output blanks and then,
  in the last 10 steps, the 10 symbols again. A model that remembers nothing outputs blanks and
  then a uniform guess over the 8 symbols, a cross-entropy of ``10 ln 8 / (timesteps + 20)``.

Baselines are computed from the constants that define the tasks, never typed in, and the tests
check them by simulation.
"""

from __future__ import annotations

import math

import numpy as np

from lstm_core.errors import ConfigError

# Adding problem: values are uniform on [VALUE_LOW, VALUE_HIGH]; MARKED of them are summed.
VALUE_LOW, VALUE_HIGH = 0.0, 1.0
MARKED = 2
SOLVED_ERROR = 0.04  # Hochreiter & Schmidhuber 1997: a sequence is solved when |error| < 0.04

# Copy memory: symbol 0 is the blank, 1..SYMBOLS are data, SYMBOLS + 1 is the delimiter.
SYMBOLS = 8
MEMORY_LENGTH = 10  # symbols to remember, and blanks after the delimiter
BLANK, DELIMITER = 0, SYMBOLS + 1
CATEGORIES = SYMBOLS + 2  # blank, 8 symbols, delimiter: the one-hot width of x and of the logits


def _check_size(n: int, timesteps: int, min_timesteps: int, task: str) -> None:
    if not isinstance(n, int | np.integer) or n < 1:
        raise ConfigError(
            f"n for the {task} must be a positive whole number of sequences, got {n!r}; "
            "ask for at least 1."
        )
    if not isinstance(timesteps, int | np.integer) or timesteps < min_timesteps:
        raise ConfigError(
            f"timesteps for the {task} must be a whole number of at least {min_timesteps}, "
            f"got {timesteps!r}; use a longer sequence."
        )


def adding_problem(n: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` sequences of the adding problem.

    Args:
        n: int, number of sequences.
        timesteps: int, sequence length, at least 2 (one marker in each half).
        seed: int, seed of the generator; the same seed gives the same data. Default 0.

    Returns:
        ``(x, y)``: float32 ``x`` of shape ``(n, timesteps, 2)``, channel 0 the values and
        channel 1 the markers (exactly one 1 in ``[0, timesteps // 2)`` and one in
        ``[timesteps // 2, timesteps)``); float32 ``y`` of shape ``(n, 1)``, the sum of the two
        marked values.

    Raises:
        ConfigError: ``n`` below 1 or ``timesteps`` below 2.
    """
    _check_size(n, timesteps, 2, "adding problem")
    rng = np.random.default_rng(seed)
    values = rng.uniform(VALUE_LOW, VALUE_HIGH, size=(n, timesteps))  # (n, T)
    half = timesteps // 2
    first = rng.integers(0, half, size=n)  # (n,)
    second = rng.integers(half, timesteps, size=n)  # (n,)
    markers = np.zeros((n, timesteps))  # (n, T)
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(np.float32)  # (n, T, 2)
    y = (values[rows, first] + values[rows, second])[:, None].astype(np.float32)  # (n, 1)
    return x, y


def adding_baseline() -> float:
    """MSE of always predicting the mean target: the variance of a sum of ``MARKED`` uniforms."""
    uniform_variance = (VALUE_HIGH - VALUE_LOW) ** 2 / 12
    return MARKED * uniform_variance


def adding_solved(y_true, y_pred) -> float:
    """The adding problem's criterion (Hochreiter & Schmidhuber 1997): the share of sequences
    predicted with an absolute error below ``SOLVED_ERROR`` (0.04).

    Args:
        y_true: the targets, ``(n, 1)``.
        y_pred: the predictions, ``(n, 1)``.

    Returns:
        A share in ``[0, 1]``. A model that always predicts 1 solves about 8 % (the sum of two
        U[0, 1] values lies within 0.04 of 1 with probability ``1 - 0.96 ** 2``).
    """
    error = np.abs(np.asarray(y_pred, float) - np.asarray(y_true, float))  # (n, 1)
    return float(np.mean(error < SOLVED_ERROR))


def copy_memory(n: int, timesteps: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``n`` sequences of the copy-memory task, one-hot encoded.

    A sequence has ``timesteps + 20`` steps: 10 symbols from ``1..8``, ``timesteps - 1`` blanks
    (``0``), the delimiter (``9``), then 10 blanks. The target is blank everywhere except the
    last 10 steps, which repeat the 10 symbols.

    Args:
        n: int, number of sequences.
        timesteps: int, the delay between the symbols and the delimiter, at least 1.
        seed: int, seed of the generator. Default 0.

    Returns:
        ``(x, y)``: float32 one-hot ``x`` of shape ``(n, timesteps + 20, 10)`` (category ``k``
        in channel ``k``); int32 ``y`` of shape ``(n, timesteps + 20)``, the category to output
        at every step.

    Raises:
        ConfigError: ``n`` or ``timesteps`` below 1.
    """
    _check_size(n, timesteps, 1, "copy-memory task")
    rng = np.random.default_rng(seed)
    length = timesteps + 2 * MEMORY_LENGTH
    symbols = rng.integers(1, SYMBOLS + 1, size=(n, MEMORY_LENGTH))  # (n, 10)
    codes = np.full((n, length), BLANK)  # (n, T + 20)
    codes[:, :MEMORY_LENGTH] = symbols
    codes[:, MEMORY_LENGTH + timesteps - 1] = DELIMITER
    y = np.full((n, length), BLANK, dtype=np.int32)  # (n, T + 20)
    y[:, -MEMORY_LENGTH:] = symbols
    x = np.eye(CATEGORIES, dtype=np.float32)[codes]  # (n, T + 20, 10)
    return x, y


def copy_baseline(timesteps: int) -> float:
    """Mean cross-entropy per step of blanks, then a uniform guess over the symbols."""
    return MEMORY_LENGTH * math.log(SYMBOLS) / (timesteps + 2 * MEMORY_LENGTH)


def differentiated_loss(task: str) -> str:
    """In words, the loss whose gradient the profile of ``task`` shows (for chart labels)."""
    if check_task(task) == "adding":
        return "loss: MSE of the sum, read after the last step"
    return f"loss: cross-entropy of the {MEMORY_LENGTH} recall steps only"


def profile_loss_steps(task: str) -> int | None:
    """The outputs whose loss the profile differentiates: the copy task's recall steps."""
    return MEMORY_LENGTH if check_task(task) == "copy" else None


def make_task(task: str, n: int, timesteps: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Generate ``task`` (``"adding"`` or ``"copy"``) data; see ``adding_problem``, ``copy_memory``."""
    generators = {"adding": adding_problem, "copy": copy_memory}
    return generators[check_task(task)](n, timesteps, seed)


def task_baseline(task: str, timesteps: int) -> float:
    """The remember-nothing loss of ``task``: MSE for adding, cross-entropy for copy."""
    return adding_baseline() if check_task(task) == "adding" else copy_baseline(timesteps)


def check_task(task: str) -> str:
    """Return ``task`` if it is ``"adding"`` or ``"copy"``, else raise ``ConfigError``."""
    if task not in ("adding", "copy"):
        raise ConfigError(f"task must be 'adding' or 'copy', got {task!r}; pick one of those.")
    return task
