"""The training input: batches in a new, seeded order every epoch, at the cost of plain ``fit``.

The order of epoch ``e`` is ``epoch_order(samples, seed, e)``, a NumPy permutation seeded by
``[seed, e]``: it depends on nothing process-wide (``keras.utils.set_random_seed``,
TensorFlow's global seed), so two jobs training at once cannot disturb each other's order,
and it is the same on every backend.

Each backend gets the batches the way Keras feeds it arrays in plain ``fit``, so that the
order costs nothing measurable:

- TensorFlow: a ``tf.data`` pipeline built as Keras' own ``ArrayDataAdapter`` builds it (the
  epoch's indices cut into batches, the data zipped in once, a parallel ``gather`` per batch,
  static optimisations off), only with our permutation in place of ``tf.random.shuffle``;
- JAX: a ``keras.utils.PyDataset`` that slices NumPy batches in the training thread, as Keras'
  array iterator does on JAX. Keras reads a batch before the first epoch (to build the
  model's state) and begins and ends a pass over the dataset for it, so the dataset cannot
  count its own epochs: a callback tells it each epoch's number.

Two more inputs for ``fit``: ``keras_order_batches``, the order plain ``fit`` shuffles arrays
in (seeded process-wide), for the tasks' training loop, whose results must stay those of plain
``fit``; and ``eval_batches``, the validation split in order. On TensorFlow none of the three
runs tf.data's autotuning threads, which stalled the engine's epochs and the sweeps' trials.
"""

from __future__ import annotations

import itertools
import math

import keras
import numpy as np

from lstm_core import backend, private_apis


def epoch_order(samples: int, seed: int, epoch: int) -> np.ndarray:
    """The order of the training samples in ``epoch`` (0-based): ``(samples,)`` indices."""
    return np.random.default_rng([seed, epoch]).permutation(samples)


def train_batches(
    x: np.ndarray, y: np.ndarray, batch_size: int, seed: int
) -> tuple[object, list[keras.callbacks.Callback]]:
    """Batches of ``(x, y)`` for ``model.fit``, in ``epoch_order`` every epoch, and the
    callbacks ``fit`` must be given with them.

    Args:
        x: ``(samples, timesteps, features)`` float32.
        y: ``(samples, outputs)`` float32.
        batch_size: samples per batch; the last batch holds the rest.
        seed: the seed of every epoch's order.

    Returns:
        ``(batches, callbacks)``: what ``fit`` iterates once per epoch,
        ``ceil(samples / batch_size)`` batches, each ``((batch, timesteps, features),
        (batch, outputs))`` (a ``tf.data.Dataset`` on TensorFlow, a ``ShuffledBatches`` on
        JAX), and the callbacks that keep its epochs in step with ``fit``'s.
    """
    if backend.name() == "tensorflow":
        return _tf_batches(x, y, batch_size, seed), []
    batches = ShuffledBatches(x, y, batch_size, seed)
    return batches, [batches.follower()]


class ShuffledBatches(keras.utils.PyDataset):
    """NumPy batches in ``epoch_order`` of the epoch set by ``begin_epoch``; its
    ``follower()`` callback sets it as ``fit`` begins each epoch.

    One worker: batches are sliced in the training thread as ``fit`` does for arrays on JAX,
    with no thread pool to compete for the cores.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
        super().__init__(workers=1, use_multiprocessing=False)
        self.x, self.y = x, y  # (samples, timesteps, features), (samples, outputs)
        self.batch_size = batch_size
        self.seed = seed
        self.begin_epoch(0)

    def __len__(self) -> int:
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]  # (batch,)
        return self.x[rows], self.y[rows]  # (batch, timesteps, features), (batch, outputs)

    def begin_epoch(self, epoch: int) -> None:
        """Read the batches of ``epoch`` (0-based) from now on."""
        self.epoch = epoch
        self.order = epoch_order(len(self.x), self.seed, epoch)  # (samples,)

    def follower(self) -> keras.callbacks.Callback:
        """A callback that begins each of ``fit``'s epochs here too."""
        return keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs=None: self.begin_epoch(epoch)
        )


def _tf_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int):
    import tensorflow as tf

    samples = len(x)
    full = samples // batch_size  # full batches; the rest makes one more
    epochs = itertools.count()

    def next_order():  # called once per iteration of the dataset, i.e. per epoch
        return epoch_order(samples, seed, next(epochs))

    def permutation(_):  # -> (samples,) int64
        indices = tf.numpy_function(next_order, [], tf.int64, stateful=True)
        return tf.ensure_shape(indices, (samples,))

    def cut(order):  # (samples,) -> a dataset of (batch,) index vectors
        batches = tf.data.Dataset.from_tensor_slices(
            tf.reshape(order[: full * batch_size], (full, batch_size))
        )
        if samples % batch_size:
            batches = batches.concatenate(tf.data.Dataset.from_tensors(order[full * batch_size :]))
        return batches

    # Not `Dataset.from_generator`: its kernel sets glibc's M_TRIM_THRESHOLD for the whole
    # process (TensorFlow logs "Memory patch applied"), which freezes malloc's mmap threshold
    # at 128 kB; every batch-sized tensor after that is a fresh mmap, page-faulted in and
    # unmapped again, which took the large model's epoch from 4.1 to 6.5 CPU seconds in a
    # fresh process. One mapped element per epoch, as Keras makes its permutation.
    indices = tf.data.Dataset.range(1).map(permutation).flat_map(cut)
    return _gathered(indices, x, y, batch_size)


def keras_order_batches(x: np.ndarray, y: np.ndarray, batch_size: int) -> dict:
    """``fit``'s arguments for training on ``(x, y)`` in the order plain ``fit(x, y,
    batch_size=batch_size)`` shuffles them, seeded by ``keras.utils.set_random_seed``: the
    order the comparisons, ablations and sweeps have always trained in, so that their results
    and the shipped references stay exactly reproducible.

    On TensorFlow, the ``tf.data`` pipeline Keras' own array adapter builds, with its
    autotuning off (see ``_gathered``: a single-thread sweep trial waited on those threads for
    a fifth of its time); elsewhere, and should that adapter ever move, the arrays themselves.

    Returns:
        ``fit``'s ``x`` (a dataset on TensorFlow; else ``x``, ``y`` and ``batch_size``) and
        ``shuffle``, to unpack into ``model.fit``.
    """
    arrays = {"x": x, "y": y, "batch_size": batch_size, "shuffle": True}
    if backend.name() != "tensorflow":
        return arrays
    adapter = private_apis.keras_array_data_adapter()
    if adapter is None:  # a Keras that moved it: plain fit's pipeline, autotuning and all
        return arrays
    import tensorflow as tf

    dataset = adapter(x, y, batch_size=batch_size, shuffle=True).get_tf_dataset()
    options = tf.data.Options()
    options.autotune.enabled = False
    # Known length, as Keras knows it for arrays, so that it does not warn when an epoch ends.
    dataset = dataset.with_options(options).apply(
        tf.data.experimental.assert_cardinality(math.ceil(len(x) / batch_size))
    )
    return {"x": dataset, "shuffle": False}  # shuffled already, in Keras' order


def eval_batches(x: np.ndarray, y: np.ndarray, batch_size: int):
    """``(x, y)`` in order, in batches of ``batch_size``, for ``fit``'s ``validation_data``.

    On TensorFlow a ``tf.data`` pipeline like ``train_batches``' (no autotuning thread: given
    arrays, Keras builds one with it, and pays for it every epoch); on JAX the arrays, which
    Keras slices in the training thread. ``fit`` ignores ``validation_batch_size`` for a
    dataset, so it may be passed either way.
    """
    if backend.name() != "tensorflow":
        return (x, y)
    import tensorflow as tf

    indices = tf.data.Dataset.range(len(x)).batch(batch_size)
    return _gathered(indices, x, y, batch_size)


def _gathered(indices, x: np.ndarray, y: np.ndarray, batch_size: int):
    """The batches of ``(x, y)`` that ``indices``, a dataset of ``(batch,)`` index vectors,
    names: a ``tf.data`` pipeline as Keras' own ``ArrayDataAdapter`` builds it, without its
    autotuning."""
    import tensorflow as tf

    @tf.autograph.experimental.do_not_convert  # plain TensorFlow ops: nothing to convert
    def gather(index, data):  # (batch,) -> (batch, timesteps, features), (batch, outputs)
        return tf.gather(data[0], index), tf.gather(data[1], index)

    data = tf.data.Dataset.from_tensors((x, y)).repeat()
    batches = tf.data.Dataset.zip((indices, data)).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    options = tf.data.Options()
    # As Keras does for arrays: no graph rewriting of a pipeline this simple.
    options.experimental_optimization.apply_default_optimizations = False
    # No autotuning model either: it runs a thread per iterator, and Keras keeps each epoch's
    # spent iterator (the loop variable of `fit`) until the next epoch's first batch, whose
    # call then waits for that thread to end before training resumes: measured on the demo
    # model on 2 busy cores, 7 to 8 of 19 epochs began 0.2 to 2.4 s late, with no progress to
    # report meanwhile; with it off, none took over 0.04 s. A single-thread sweep trial
    # (adding problem, 6 epochs) took 4.8 s alone and 5.5 to 5.9 s beside another, waiting on
    # those threads with a core idle; with them off, 3.6 s alone and 3.7 s beside another.
    # AUTOTUNE below then means "the cores" for the parallel gather and a self-sizing buffer
    # for prefetch.
    options.autotune.enabled = False
    # Known length, so Keras counts the batches instead of warning when an epoch runs out.
    batches = batches.with_options(options).apply(
        tf.data.experimental.assert_cardinality(math.ceil(len(x) / batch_size))
    )
    return batches.prefetch(tf.data.AUTOTUNE)
