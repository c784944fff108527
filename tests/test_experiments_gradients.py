import keras
import numpy as np
import pytest
import tensorflow as tf
from bptt import lstm_bptt

from lstm_core.errors import DataError, SpecError
from lstm_core.experiments.gradients import GradientProfiler, gradient_profile, gradient_reach
from lstm_core.model import LayerSpec, ModelSpec, build_model, parse_layers
from lstm_core.reference import forward

pytestmark = pytest.mark.slow  # trains models: left out by pytest -m "not slow"



@pytest.fixture
def float64():
    """Build models in float64, so finite differences are accurate to ~1e-8."""
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")  # layers read the policy, fixed at first use
    yield
    keras.config.set_floatx(floatx)
    keras.config.set_dtype_policy(policy)


def _data(batch, timesteps, features, seed=0, outputs=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, timesteps, features))
    y = rng.normal(size=(batch, outputs))
    return x, y


def _direct_dl_dx(model, x, y):
    """``||dL/dx_t||`` averaged over the batch, straight from a tape on the input."""
    x = tf.constant(x, dtype=model.inputs[0].dtype)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_mean(keras.losses.mean_squared_error(y, model(x)))
    return np.linalg.norm(tape.gradient(loss, x).numpy(), axis=-1).mean(axis=0)  # (T,)


def _hidden_gradient_by_finite_differences(model, x, y, eps=1e-6):
    """dL/dh_t per sample, ``(batch, T, units)``, by rerunning the layer.

    For every step t, the layer's own class and weights run the steps read before and up to t,
    ``h_t`` is nudged by +-eps along one unit, the rest of the sequence runs from the nudged
    state (Keras' ``initial_state``) and the head gives the loss. One-layer models only. (An
    LSTM's ``c_t`` cannot be nudged this way: ``h_t`` is computed from it inside the same step;
    ``bptt.lstm_bptt`` checks ``dL/dc_t``.)
    """
    layer, head = model.get_layer("layer_1"), model.get_layer("head")
    batch, timesteps, features = x.shape
    config = {**layer.get_config(), "return_sequences": False, "return_state": True}
    clone = type(layer).from_config(config)
    clone.build((None, None, features))
    clone.set_weights(layer.get_weights())

    def per_sample_loss(states, rest):
        h = clone(rest, initial_state=states)[1] if rest.shape[1] else states[0]  # (B, U)
        return np.asarray((head(h).numpy() - y) ** 2).mean(axis=-1) / batch  # (B,)

    grads = np.zeros((batch, timesteps, layer.cell.units))
    for t in range(timesteps):
        # the steps read up to and including x_t, and those still to read, in input order
        seen, rest = (x[:, t:], x[:, :t]) if layer.go_backwards else (x[:, : t + 1], x[:, t + 1 :])
        states = [s.numpy() for s in clone(seen)[1:]]
        for j in range(layer.cell.units):
            nudged = []
            for sign in (1, -1):
                moved = [s.copy() for s in states]
                moved[0][:, j] += sign * eps
                nudged.append(per_sample_loss(moved, rest))
            grads[:, t, j] = (nudged[0] - nudged[1]) / (2 * eps)
    return grads


@pytest.mark.tensorflow_only  # float64 finite differences: JAX truncates to float32 without x64
@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
def test_hidden_state_gradient_matches_finite_differences(float64, kind, go_backwards):
    spec = ModelSpec((LayerSpec(kind, units=3, go_backwards=go_backwards),), outputs=1)
    model = build_model(spec, timesteps=4, features=2, seed=1)
    assert all(weight.dtype == "float64" for weight in model.weights)
    x, y = _data(batch=2, timesteps=4, features=2)
    profile = gradient_profile(model, x, y)
    grads = _hidden_gradient_by_finite_differences(model, x, y)  # (B, T, U)
    expected = np.linalg.norm(grads, axis=-1).mean(axis=0)  # (T,)
    np.testing.assert_allclose(profile["dL_dh"], expected, rtol=1e-6, atol=1e-10)
    assert profile["dL_dh"].min() > 0  # a real gradient at every step, not a vacuous match


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("sequences", [False, True])
def test_lstm_gradients_match_a_float64_bptt_by_hand(sequences, go_backwards):
    layer = LayerSpec("lstm", units=4, return_sequences=sequences, go_backwards=go_backwards)
    model = build_model(ModelSpec((layer,), outputs=2), timesteps=7, features=3, seed=2)
    x, y = _data(batch=5, timesteps=7, features=3, outputs=2)
    profile = gradient_profile(model, x, y)
    weights = model.get_layer("layer_1").get_weights() + model.get_layer("head").get_weights()
    grads = lstm_bptt(weights, x, y, sequences=sequences, go_backwards=go_backwards)
    for column, name in [("dL_dh", "h"), ("dL_dc", "c"), ("dL_dx", "x")]:
        expected = np.linalg.norm(grads[name], axis=-1).mean(axis=0)  # (T,)
        np.testing.assert_allclose(profile[column], expected, rtol=1e-4, err_msg=column)
    assert profile["dL_dc"].min() > 0  # a real gradient at every step
    if not sequences:  # the loss reads the last step only: c's gradient is largest there
        last_read = 0 if go_backwards else -1
        assert profile["dL_dc"].iloc[last_read] == pytest.approx(profile["dL_dc"].max())


@pytest.mark.tensorflow_only  # its reference is a tf.GradientTape; JAX: test_experiments_backends
@pytest.mark.parametrize(
    ("layers", "mask_value"),
    [
        ("lstm:4", None),
        ("rnn:4:seq", None),  # the head reads every step through Flatten
        ("gru:4:back", None),
        ("lstm:4:seq:state,gru:3", None),  # a return_state layer under another layer
        ("rnn:4:seq,lstm:3:seq:back,lstm:2", None),
        ("lstm:4:seq,gru:3", 0.0),  # padded steps skipped by the Masking layer
    ],
)
def test_input_gradient_matches_a_tape_on_the_input(layers, mask_value):
    spec = ModelSpec(parse_layers(layers), outputs=2, mask_value=mask_value)
    model = build_model(spec, timesteps=6, features=3, seed=0)
    x, y = _data(batch=5, timesteps=6, features=3, outputs=2)
    if mask_value is not None:
        x[:2, 4:] = mask_value  # two sequences padded at the end
    profile = gradient_profile(model, x, y)
    np.testing.assert_allclose(profile["dL_dx"], _direct_dl_dx(model, x, y), rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("go_backwards", [False, True])
def test_xla_compiled_profiler_matches_a_float64_bptt_by_hand(go_backwards):
    layer = LayerSpec("lstm", units=4, go_backwards=go_backwards)
    model = build_model(ModelSpec((layer,), outputs=1), timesteps=5, features=2, seed=0)
    x, y = _data(batch=3, timesteps=5, features=2)
    compiled = GradientProfiler(model, jit_compile=True)(x, y)
    weights = model.get_layer("layer_1").get_weights() + model.get_layer("head").get_weights()
    grads = lstm_bptt(weights, x, y, sequences=False, go_backwards=go_backwards)
    for column, name in [("dL_dh", "h"), ("dL_dc", "c"), ("dL_dx", "x")]:
        expected = np.linalg.norm(grads[name], axis=-1).mean(axis=0)  # (T,)
        np.testing.assert_allclose(compiled[column], expected, rtol=1e-4, err_msg=column)


@pytest.mark.tensorflow_only  # its reference is a tf.GradientTape
def test_xla_compiled_profiler_of_a_masked_stack_matches_a_tape_on_the_input():
    spec = ModelSpec(parse_layers("lstm:4:seq:back,gru:3"), outputs=1, mask_value=0.0)
    model = build_model(spec, timesteps=5, features=2, seed=0)
    x, y = _data(batch=3, timesteps=5, features=2)
    x[0, 3:] = 0.0  # one sequence padded at the end
    compiled = GradientProfiler(model, jit_compile=True)(x, y)
    np.testing.assert_allclose(compiled["dL_dx"], _direct_dl_dx(model, x, y), rtol=1e-5, atol=1e-8)


def test_profile_shape_and_columns():
    x, y = _data(batch=3, timesteps=5, features=2)
    for kind, columns in [
        ("lstm", ["t", "dL_dx", "dL_dh", "dL_dc", "forget_gate"]),
        ("gru", ["t", "dL_dx", "dL_dh"]),
        ("rnn", ["t", "dL_dx", "dL_dh"]),
    ]:
        model = build_model(ModelSpec((LayerSpec(kind, units=4),)), 5, 2, seed=0)
        profile = gradient_profile(model, x, y)
        assert list(profile.columns) == columns
        assert profile["t"].tolist() == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("forget_bias", ["one", "zeros", "chrono"])
def test_forget_gate_matches_the_numpy_reference(forget_bias, go_backwards):
    layer = LayerSpec("lstm", units=4, go_backwards=go_backwards, forget_bias=forget_bias)
    model = build_model(ModelSpec((layer,)), timesteps=6, features=2, seed=0)
    x, y = _data(batch=3, timesteps=6, features=2)
    gates = forward("lstm", x, model.get_layer("layer_1").get_weights(), go_backwards=go_backwards)
    f = gates["f"][:, ::-1] if go_backwards else gates["f"]  # reading order -> input order
    profile = gradient_profile(model, x, y)
    np.testing.assert_allclose(profile["forget_gate"], f.mean(axis=(0, 2)), atol=1e-6)


def test_forget_bias_init_shows_in_the_forget_gate():
    x, y = _data(batch=8, timesteps=5, features=2)

    def mean_forget(bias):
        spec = ModelSpec((LayerSpec("lstm", units=8, forget_bias=bias),))
        return gradient_profile(build_model(spec, 5, 2, seed=0), x, y)["forget_gate"].mean()

    # bias 1 starts the gates near sigmoid(1) = 0.73, bias 0 near 0.5 (inputs are small)
    assert mean_forget("one") > mean_forget("zeros") + 0.15


@pytest.mark.tensorflow_only  # its reference is a tf.GradientTape; JAX: test_experiments_backends
def test_profiler_is_reusable_and_follows_the_weights():
    model = build_model(ModelSpec((LayerSpec("rnn", units=3),)), 4, 2, seed=0)
    x, y = _data(batch=2, timesteps=4, features=2)
    profiler = GradientProfiler(model)
    first = profiler(x, y)
    model.get_layer("layer_1").cell.recurrent_kernel.assign(
        2 * model.get_layer("layer_1").cell.recurrent_kernel
    )
    second = profiler(x, y)
    np.testing.assert_allclose(second["dL_dx"], _direct_dl_dx(model, x, y), rtol=1e-5)
    assert not np.allclose(first["dL_dh"], second["dL_dh"])


@pytest.mark.tensorflow_only  # its reference is a tf.GradientTape; JAX: test_experiments_backends
def test_copy_task_model_with_its_own_loss():
    from lstm_core.experiments.compare import build_task_model
    from lstm_core.experiments.config import CompareConfig
    from lstm_core.experiments.tasks import copy_memory

    model = build_task_model(CompareConfig(task="copy", timesteps=3, units=4), "lstm")
    x, y = copy_memory(4, 3, seed=0)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    profile = gradient_profile(model, x, y, loss=loss)
    assert len(profile) == 23
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        value = loss(y, model(xt))
    direct = np.linalg.norm(tape.gradient(value, xt).numpy(), axis=-1).mean(axis=0)
    np.testing.assert_allclose(profile["dL_dx"], direct, rtol=1e-5, atol=1e-9)


@pytest.mark.tensorflow_only  # thresholds measured on TensorFlow's initial weights; JAX draws others
def test_copy_profile_of_the_recall_loss_decays_for_an_untrained_simple_rnn():
    from lstm_core.experiments.compare import build_task_model
    from lstm_core.experiments.config import CompareConfig
    from lstm_core.experiments.tasks import copy_memory

    model = build_task_model(CompareConfig(task="copy", timesteps=30, units=32), "rnn")
    x, y = copy_memory(32, 30, seed=1)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    recall = gradient_profile(model, x, y, loss=loss, loss_steps=10)["dL_dh"].to_numpy()  # (50,)
    every_step = gradient_profile(model, x, y, loss=loss)["dL_dh"].to_numpy()
    # The recall loss reaches the symbols (steps 0-9) 100x weaker than the recall steps ...
    assert recall[0] < 0.01 * recall[-10:].max()
    assert np.all(np.diff(np.log(recall[:30])) > 0)  # ... shrinking step by step on the way
    # ... while every step's own loss keeps the profile flat: no vanishing shows there.
    assert every_step[0] > 0.5 * every_step.max()


def test_gradient_reach_reads_in_the_layer_s_direction():
    x, y = _data(batch=4, timesteps=12, features=2)
    reaches = {}
    for backwards in (False, True):
        spec = ModelSpec((LayerSpec("rnn", units=4, go_backwards=backwards),))
        profile = gradient_profile(build_model(spec, 12, 2, seed=0), x, y)
        norms = profile["dL_dh"].to_numpy()
        read = norms[::-1] if backwards else norms  # reading order
        assert read[-1] > read[0]  # the loss is read after the last step read
        reaches[backwards] = gradient_reach(profile)
        assert reaches[backwards] == pytest.approx(read[0] / read[-1])
    assert reaches[True] < 1 and reaches[False] < 1


def test_bad_inputs_name_what_was_expected():
    model = build_model(ModelSpec((LayerSpec("gru", units=2),)), 4, 3, seed=0)
    with pytest.raises(DataError, match=r"\(batch, 4, 3\) to fit the model, got shape \(2, 5, 3\)"):
        gradient_profile(model, np.zeros((2, 5, 3)), np.zeros((2, 1)))
    with pytest.raises(DataError, match=r"one target per sequence of x \(2\), got 3"):
        gradient_profile(model, np.zeros((2, 4, 3)), np.zeros((3, 1)))
    dense = keras.Sequential([keras.Input((4, 3)), keras.layers.Dense(1)])
    with pytest.raises(SpecError, match="needs a model with a recurrent layer"):
        gradient_profile(dense, np.zeros((2, 4, 3)), np.zeros((2, 1)))


def test_the_forget_gate_is_read_from_the_row():
    from lstm_core.cells import CELLS
    from lstm_core.experiments.probe import keep_gate_block

    blocks = {kind: keep_gate_block(row) for kind, row in CELLS.items()}
    # Keras' i, f, c, o; a variant without its own input block has f first; nfg has no f, ph's
    # reads c_t-1, and the GRU's z (two biases) and the SimpleRNN are not computed after the loop.
    assert blocks == {"lstm": 1, "gru": None, "rnn": None, "nig": 0, "nfg": None, "nog": 1,
                      "niaf": 1, "noaf": 1, "cifg": 0, "ph": None}  # fmt: skip
