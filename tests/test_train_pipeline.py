"""The training input: a seeded order per epoch, the same on every backend, and exactly what
``fit`` trains on (checked against ``fit`` on arrays put in that order by hand)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_core import backend
from lstm_core.model import ModelSpec, build_model, parse_layers
from lstm_core.train.pipeline import ShuffledBatches, epoch_order, eval_batches, train_batches

pytestmark = pytest.mark.slow  # trains models: left out by pytest -m "not slow"

SAMPLES, TIMESTEPS, FEATURES, BATCH = 37, 5, 2, 8  # 4 full batches and one of 5


def arrays():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((SAMPLES, TIMESTEPS, FEATURES), dtype=np.float32)
    y = x[:, -1, :1] * 2  # (samples, 1)
    return x, y


def epochs_of(batches, epochs):
    """The batches ``fit`` reads, epoch by epoch, as NumPy ``(x, y)`` pairs."""
    batches, followers = batches
    for epoch in range(epochs):
        if isinstance(batches, ShuffledBatches):  # JAX: the follower begins each epoch
            batches[0]  # Keras reads a batch before the first epoch: it must not count
            followers[0].on_epoch_begin(epoch)
            yield [batches[i] for i in range(len(batches))]
        else:  # TensorFlow: the dataset is iterated once per epoch
            yield [(x.numpy(), y.numpy()) for x, y in batches]


def test_epoch_order_is_a_permutation_seeded_by_seed_and_epoch():
    first = epoch_order(SAMPLES, seed=3, epoch=0)
    assert sorted(first) == list(range(SAMPLES))
    np.testing.assert_array_equal(first, epoch_order(SAMPLES, seed=3, epoch=0))
    assert not np.array_equal(first, epoch_order(SAMPLES, seed=3, epoch=1))
    assert not np.array_equal(first, epoch_order(SAMPLES, seed=4, epoch=0))


def test_batches_follow_each_epochs_order_with_a_short_last_batch():
    x, y = arrays()
    for epoch, batches in enumerate(epochs_of(train_batches(x, y, BATCH, seed=5), epochs=3)):
        assert [len(bx) for bx, _ in batches] == [8, 8, 8, 8, 5]
        order = epoch_order(SAMPLES, 5, epoch)
        np.testing.assert_array_equal(np.concatenate([bx for bx, _ in batches]), x[order])
        np.testing.assert_array_equal(np.concatenate([by for _, by in batches]), y[order])


def test_seeding_touches_no_process_wide_state():
    x, y = arrays()
    np.random.seed(1)
    state = np.random.get_state()[1].copy()
    first = next(epochs_of(train_batches(x, y, BATCH, seed=5), epochs=1))
    np.random.seed(99)  # someone else reseeds the process: the order does not move
    again = next(epochs_of(train_batches(x, y, BATCH, seed=5), epochs=1))
    np.testing.assert_array_equal(first[0][0], again[0][0])
    np.random.seed(1)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_fit_trains_on_exactly_these_batches():
    # Two epochs over train_batches against two one-epoch fits on arrays put in each
    # epoch's order by hand: the same batches, so the same weights.
    import keras
    x, y = arrays()
    spec = ModelSpec(layers=parse_layers("lstm:3"), outputs=1)

    def model():
        built = build_model(spec, TIMESTEPS, FEATURES, seed=0)
        built.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        return built

    piped = model()
    batches, followers = train_batches(x, y, BATCH, seed=2)
    piped.fit(batches, epochs=2, shuffle=False, callbacks=followers, verbose=0)
    by_hand = model()
    for epoch in range(2):
        order = epoch_order(SAMPLES, 2, epoch)
        by_hand.fit(x[order], y[order], batch_size=BATCH, epochs=1, shuffle=False, verbose=0)
    for got, want in zip(piped.get_weights(), by_hand.get_weights(), strict=True):
        np.testing.assert_allclose(got, want, atol=1e-6)
    assert not np.allclose(piped.get_weights()[0], model().get_weights()[0])  # it trained


def test_validation_batches_are_the_arrays_in_order_every_epoch():
    x, y = arrays()
    batches = eval_batches(x, y, BATCH)
    if backend.name() != "tensorflow":  # Keras slices the arrays itself, in this thread
        assert batches[0] is x and batches[1] is y
        return
    for _ in range(2):  # fit iterates it once per epoch
        got = [(bx.numpy(), by.numpy()) for bx, by in batches]
        assert [len(bx) for bx, _ in got] == [8, 8, 8, 8, 5]
        np.testing.assert_array_equal(np.concatenate([bx for bx, _ in got]), x)
        np.testing.assert_array_equal(np.concatenate([by for _, by in got]), y)
    assert batches.options().autotune.enabled is False  # as train_batches, for the same reason


def test_a_comparison_trains_exactly_as_plain_fit_on_the_arrays():
    # The tasks' loop (comparison, ablation, sweeps) feeds fit without tf.data's autotuning
    # threads, but in Keras' own seeded order: its weights and every epoch's val_loss are
    # those of plain fit(x, y, validation_data=...) after the same seeding, to the last bit,
    # so that the shipped references stay reproducible.
    import keras

    from lstm_core.experiments.compare import train_model
    from lstm_core.experiments.config import CompareConfig

    x, y = arrays()
    x_val, y_val = x[:13] * 0.5, y[:13]  # 13: a short last validation batch
    config = CompareConfig(timesteps=TIMESTEPS, units=3, n_train=SAMPLES, n_val=13,
                           batch_size=BATCH, epochs=3, seed=4, kinds=("lstm",),
                           profile_epochs=())  # fmt: skip
    spec = ModelSpec(layers=parse_layers("lstm:3"), outputs=1)

    def model():
        return build_model(spec, TIMESTEPS, FEATURES, seed=config.seed)

    fed = []  # what train_model gives fit: without autotuning on TensorFlow
    fit = keras.Model.fit

    def spy(self, *args, **kwargs):
        fed.append((args[0] if args else kwargs["x"], kwargs["validation_data"]))
        return fit(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keras.Model, "fit", spy)
        result, trained = train_model(
            config, "lstm", model, "mse", (x, y, x_val, y_val), lambda *_: None, lambda: False
        )
    if backend.name() == "tensorflow":
        assert [data.options().autotune.enabled for data in fed[0]] == [False, False]
    keras.utils.set_random_seed(config.seed)
    plain = model()
    plain.compile(optimizer=keras.optimizers.Adam(config.learning_rate, clipnorm=config.clipnorm),
                  loss="mse", steps_per_execution=5)  # fmt: skip
    history = plain.fit(x, y, batch_size=BATCH, epochs=3, validation_data=(x_val, y_val),
                        verbose=0)  # fmt: skip
    for got, want in zip(trained.get_weights(), plain.get_weights(), strict=True):
        np.testing.assert_array_equal(got, want)
    assert result.val_loss == history.history["val_loss"]


# Run in a fresh process on TensorFlow: after one epoch of train_batches, malloc still adapts
# its mmap threshold. A freed 16 MB block raises it (glibc's dynamic threshold), so a 15 MB
# block comes from the heap; with M_TRIM_THRESHOLD set process-wide (Dataset.from_generator's
# kernel does that) the threshold stays put and the 15 MB block is a fresh mmap, as is every
# large tensor of the training after it.
MALLOC_AFTER_AN_EPOCH = """
import ctypes, sys
import numpy as np
sys.path.insert(0, sys.argv[1])
from lstm_core.train.pipeline import train_batches

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost")]

libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
libc.mallinfo2.restype = Mallinfo2
x = np.zeros((64, 10, 3), np.float32)
batches, _ = train_batches(x, x[:, -1, :1], 8, seed=0)
for _ in batches:
    pass
libc.free(libc.malloc(16 << 20))
before = libc.mallinfo2().hblks
block = libc.malloc(15 << 20)
print(libc.mallinfo2().hblks - before)
libc.free(block)
"""


@pytest.mark.tensorflow_only  # the tf.data pipeline; on JAX the batches are NumPy slices
@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc")
def test_the_pipeline_leaves_mallocs_mmap_threshold_adaptive():
    done = subprocess.run(
        [sys.executable, "-c", MALLOC_AFTER_AN_EPOCH, str(Path(__file__).resolve().parents[1])],
        capture_output=True, text=True, env={**os.environ, "KERAS_BACKEND": "tensorflow"},
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-1] == "0"  # the 15 MB block came from the heap, not an mmap


@pytest.mark.tensorflow_only  # the tf.data pipeline; on JAX the batches are NumPy slices
def test_the_pipeline_runs_no_autotuning_model_that_stalls_the_epochs_start():
    # Keras keeps each epoch's spent iterator until the next epoch's first batch; with tf.data's
    # autotuning model on, dropping it there waited for the model's thread, and epochs on a busy
    # machine began up to 2.4 s late with no progress to report (docs/performance.md, issue 14).
    x, y = arrays()
    batches, _ = train_batches(x, y, BATCH, seed=0)
    assert batches.options().autotune.enabled is False
    # Still fed as fast as before: the gather runs in parallel and prefetch sizes itself.
    assert batches.options().experimental_optimization.apply_default_optimizations is False
