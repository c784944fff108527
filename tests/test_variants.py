"""The LSTM variants of Greff et al. 2017: each Keras cell against its NumPy reference at every
step (gates included), each removed part really removed, the gradient profile against JAX's
autodiff of an independent unrolled loop, and saving, parsing and describing them."""

import keras
import numpy as np
import pytest

from lstm_core import reference
from lstm_core.cells import CELLS, VARIANTS, load_custom_layers
from lstm_core.errors import SpecError
from lstm_core.model import (
    LayerSpec,
    ModelSpec,
    build_model,
    count_params,
    describe,
    format_layers,
    parse_layers,
    recurrent_layers,
)

FEATURES, UNITS, TIMESTEPS = 3, 4, 6


def _model(kind, *, seed=0, go_backwards=False, scale=0.6):
    """A one-layer model of ``kind`` returning sequences and states, weights drawn at ``scale``
    (peepholes included, which start at zero) so every part of the cell matters."""
    layer = LayerSpec(kind, UNITS, return_sequences=True, return_state=True,
                      go_backwards=go_backwards)  # fmt: skip
    model = build_model(ModelSpec((layer,), outputs=1), TIMESTEPS, FEATURES, seed=seed)
    (rnn,) = recurrent_layers(model)
    rng = np.random.default_rng(seed + 1)
    rnn.set_weights([rng.normal(scale=scale, size=w.shape) for w in rnn.get_weights()])
    return model, rnn


def _x(seed=0, batch=2):
    return np.random.default_rng(seed).normal(size=(batch, TIMESTEPS, FEATURES)).astype("float32")


def _numpy(tensor):
    return keras.ops.convert_to_numpy(tensor)


@pytest.mark.parametrize("kind", VARIANTS)
def test_the_reference_matches_the_keras_cell_at_every_step_gates_included(kind):
    _, rnn = _model(kind)
    x = _x()
    ref = reference.forward(kind, x, rnn.get_weights())
    output, h, c = rnn(x)
    np.testing.assert_allclose(_numpy(output), ref["h"], atol=1e-5)
    np.testing.assert_allclose(_numpy(h), ref["h"][:, -1], atol=1e-5)
    np.testing.assert_allclose(_numpy(c), ref["c"][:, -1], atol=1e-5)
    h_prev = c_prev = np.zeros((2, UNITS), "float32")
    for t in range(TIMESTEPS):
        values = rnn.cell.values(x[:, t], h_prev, c_prev)
        assert set(values) - {name for name in values if name.startswith("pre_")} == {
            *CELLS[kind].gate_names, "h", "c"}  # fmt: skip
        for name in (*CELLS[kind].gate_names, "h", "c"):
            np.testing.assert_allclose(_numpy(values[name]), ref[name][:, t], atol=1e-5)
        h_prev, c_prev = ref["h"][:, t], ref["c"][:, t]


@pytest.mark.parametrize("kind", ["cifg", "ph"])
def test_the_reference_follows_keras_backwards_and_from_given_states(kind):
    _, rnn = _model(kind, go_backwards=True)
    x = _x(1)
    states = [np.full((2, UNITS), 0.3, "float32"), np.full((2, UNITS), -0.5, "float32")]
    output, *_ = rnn(x, initial_state=states)
    ref = reference.forward(kind, x, rnn.get_weights(), states, go_backwards=True)
    np.testing.assert_allclose(_numpy(output), ref["h"], atol=1e-5)


def _trace(kind):
    _, rnn = _model(kind)
    x = _x()
    return reference.forward(kind, x, rnn.get_weights()), rnn, x


def _before(values, t):
    return values[:, t - 1] if t else np.zeros_like(values[:, 0])


def test_nfg_has_no_forget_gate_and_its_cell_state_is_a_pure_sum():
    steps, _, _ = _trace("nfg")
    assert "f" not in steps
    for t in range(TIMESTEPS):
        expected = _before(steps["c"], t) + steps["i"][:, t] * steps["g"][:, t]
        np.testing.assert_allclose(steps["c"][:, t], expected, atol=1e-6)


def test_nig_has_no_input_gate_and_writes_the_candidate_whole():
    steps, _, _ = _trace("nig")
    assert "i" not in steps
    for t in range(TIMESTEPS):
        expected = steps["f"][:, t] * _before(steps["c"], t) + steps["g"][:, t]
        np.testing.assert_allclose(steps["c"][:, t], expected, atol=1e-6)


def test_cifg_couples_the_input_gate_to_the_forget_gate():
    steps, rnn, _ = _trace("cifg")
    np.testing.assert_allclose(steps["i"], 1.0 - steps["f"], atol=1e-6)
    assert rnn.get_weights()[0].shape == (FEATURES, 3 * UNITS)  # no input-gate weights


def test_nog_shows_the_whole_squashed_cell():
    steps, _, _ = _trace("nog")
    assert "o" not in steps
    np.testing.assert_allclose(steps["h"], np.tanh(steps["c"]), atol=1e-6)


def test_noaf_shows_the_cell_unsquashed():
    steps, _, _ = _trace("noaf")
    np.testing.assert_allclose(steps["h"], steps["o"] * steps["c"], atol=1e-6)


def test_niaf_writes_the_candidate_unsquashed():
    _, rnn = _model("niaf", scale=2.0)
    weights = rnn.get_weights()
    step = reference.step("niaf", _x()[:, 0], weights, np.zeros((2, UNITS)), np.zeros((2, UNITS)))
    np.testing.assert_allclose(step["g"], step["pre_g"])
    assert np.abs(step["g"]).max() > 1.0  # beyond tanh's range: nothing squashed it


def test_ph_peepholes_let_i_and_f_see_the_old_cell_state_and_o_the_new():
    _, rnn = _model("ph")
    kernel, recurrent_kernel, bias, peephole = rnn.get_weights()
    x_t, h = _x()[:, 0], np.full((2, UNITS), 0.2)
    c = np.linspace(-1.0, 1.0, 2 * UNITS).reshape(2, UNITS)
    step = reference.step("ph", x_t, rnn.get_weights(), h, c)
    z = x_t @ kernel + h @ recurrent_kernel + bias  # (2, 4U) without peepholes
    without = dict(zip("ifgo", np.split(z, 4, axis=-1), strict=True))
    np.testing.assert_allclose(step["pre_i"] - without["i"], peephole[0] * c, atol=1e-5)
    np.testing.assert_allclose(step["pre_f"] - without["f"], peephole[1] * c, atol=1e-5)
    np.testing.assert_allclose(step["pre_o"] - without["o"], peephole[2] * step["c"], atol=1e-5)
    np.testing.assert_allclose(step["pre_g"], without["g"], atol=1e-5)


def test_an_untrained_ph_layer_starts_as_the_lstm_with_the_same_seed():
    x = _x()
    outputs = []
    for kind in ("lstm", "ph"):
        spec = ModelSpec((LayerSpec(kind, UNITS),), outputs=1)
        outputs.append(_numpy(build_model(spec, TIMESTEPS, FEATURES, seed=3)(x)))
    np.testing.assert_allclose(outputs[0], outputs[1], atol=1e-6)


@pytest.mark.parametrize("kind", ["nig", "cifg"])
def test_chrono_sets_the_forget_bias_of_a_variant(kind):
    spec = ModelSpec((LayerSpec(kind, UNITS, forget_bias="chrono"),), outputs=1)
    (rnn,) = recurrent_layers(build_model(spec, 50, FEATURES, seed=0))
    bias = rnn.get_weights()[2].reshape(CELLS[kind].blocks, UNITS)
    forget = bias[CELLS[kind].block_gates.index("f")]
    assert forget.min() >= 0 and forget.max() <= np.log(49) and forget.std() > 0


def test_a_model_with_variants_saves_and_loads_as_a_keras_file(tmp_path):
    spec = ModelSpec(parse_layers("cifg:4:seq,ph:3"), outputs=1)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    path = tmp_path / "variants.keras"
    model.save(path)
    load_custom_layers()
    loaded = keras.saving.load_model(path, safe_mode=True)
    x = _x()
    np.testing.assert_allclose(_numpy(loaded(x)), _numpy(model(x)), atol=1e-6)
    assert [layer.cell.variant for layer in recurrent_layers(loaded)] == ["cifg", "ph"]


def test_the_layer_notation_takes_every_variant():
    layers = parse_layers(",".join(f"{kind}:8:seq" for kind in VARIANTS) + ",lstm:4")
    assert tuple(layer.kind for layer in layers[:-1]) == VARIANTS
    assert parse_layers(format_layers(layers)) == layers
    assert LayerSpec.from_dict({"kind": "cifg", "units": 8}).kind == "cifg"


def test_a_variant_refuses_dropout_with_the_fix():
    with pytest.raises(SpecError, match=r"not available for a cifg layer .* set both to 0"):
        parse_layers("cifg:8:drop=0.2")


def test_the_model_page_description_counts_and_explains_a_variant():
    spec = ModelSpec(parse_layers("nfg:8:seq,ph:4"), outputs=1)
    rows = describe(spec, TIMESTEPS, FEATURES)
    assert rows[0]["params"] == 3 * (8 * (FEATURES + 8) + 8)  # i, g, o blocks
    assert rows[1]["params"] == 4 * (4 * (8 + 4) + 4) + 3 * 4  # + peepholes
    assert (
        count_params(spec, TIMESTEPS, FEATURES)
        == build_model(spec, TIMESTEPS, FEATURES, seed=0).count_params()
    )
    assert "forget gate" in rows[0]["removes"]
    assert "no built-in equivalent" in rows[1]["pytorch"]


def _jax_gradients(parts, weights, head, x, y):
    """``||dL/dh_t||`` and ``||dL/dc_t||`` (batch means), by JAX's autodiff of the variant's
    equations unrolled here, zero probes added to each step's states: no Keras, no project
    code but the parts' list of weight blocks."""
    import jax
    import jax.numpy as jnp

    kernel, recurrent, bias, *peephole = (jnp.asarray(w) for w in weights)
    peephole = peephole[0] if peephole else None  # (3, units): i, f, o
    units = recurrent.shape[0]

    def loss(probe_h, probe_c):
        h = c = jnp.zeros((x.shape[0], units))
        for t in range(x.shape[1]):
            z = x[:, t] @ kernel + h @ recurrent + bias
            pre = {n: z[:, k * units : (k + 1) * units] for k, n in enumerate(parts.blocks)}
            if parts.peepholes:
                pre["i"], pre["f"] = pre["i"] + peephole[0] * c, pre["f"] + peephole[1] * c
            f = jax.nn.sigmoid(pre["f"]) if parts.forget_gate else 1.0
            i = (
                (1.0 - f)
                if parts.coupled
                else jax.nn.sigmoid(pre["i"])
                if parts.input_gate
                else 1.0
            )
            g = jnp.tanh(pre["g"]) if parts.input_activation else pre["g"]
            c = f * c + i * g + probe_c[:, t]
            if parts.peepholes:
                pre["o"] = pre["o"] + peephole[2] * c
            o = jax.nn.sigmoid(pre["o"]) if parts.output_gate else 1.0
            h = o * (jnp.tanh(c) if parts.output_activation else c) + probe_h[:, t]
        prediction = h @ head[0] + head[1]
        return jnp.mean((prediction - y) ** 2)

    zeros = jnp.zeros((*x.shape[:2], units))
    dh, dc = jax.grad(loss, argnums=(0, 1))(zeros, zeros)
    return (np.linalg.norm(np.asarray(g), axis=-1).mean(axis=0) for g in (dh, dc))


@pytest.mark.slow
@pytest.mark.parametrize("kind", VARIANTS)
def test_the_gradient_profile_of_a_variant_matches_autodiff(kind):
    from lstm_core.experiments.gradients import gradient_profile

    spec = ModelSpec((LayerSpec(kind, UNITS),), outputs=1)
    model = build_model(spec, TIMESTEPS, FEATURES, seed=0)
    (rnn,) = recurrent_layers(model)
    rng = np.random.default_rng(5)
    rnn.set_weights([rng.normal(scale=0.6, size=w.shape) for w in rnn.get_weights()])
    x, y = _x(2, batch=3), rng.normal(size=(3, 1)).astype("float32")
    profile = gradient_profile(model, x, y, loss="mse")
    dh, dc = _jax_gradients(CELLS[kind].parts, rnn.get_weights(),
                            model.get_layer("head").get_weights(), x, y)  # fmt: skip
    np.testing.assert_allclose(profile["dL_dh"], dh, rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(profile["dL_dc"], dc, rtol=1e-4, atol=1e-7)
    assert "forget_gate" not in profile
