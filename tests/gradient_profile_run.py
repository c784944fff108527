"""Print gradient profiles as JSON, on whatever backend ``KERAS_BACKEND`` selects.

Run by ``tests/test_experiments_backends.py`` in a fresh process per backend (Keras picks its
backend once, at import). Weights are drawn from a NumPy generator, not Keras' initializers, so
every backend profiles the same model.

Prints ``{"backend", "single": {"weights", "x", "y", "profile"}, "stacked": {"eager", "jit",
"jit_after_update", "eager_after_update"}}``.
"""

import json

import keras
import numpy as np

from lstm_core.experiments.gradients import GradientProfiler, gradient_profile
from lstm_core.model import ModelSpec, build_model, parse_layers


def _draw_weights(model, rng):
    for variable in model.trainable_variables:
        variable.assign(rng.normal(scale=0.4, size=variable.shape).astype(variable.dtype))


def single(rng):
    """One LSTM layer going backwards, every step read by the head: the BPTT case."""
    model = build_model(ModelSpec(parse_layers("lstm:4:seq:back"), outputs=2), 6, 3, seed=0)
    _draw_weights(model, rng)
    x = rng.normal(size=(5, 6, 3)).astype("float32")
    y = rng.normal(size=(5, 2))
    weights = model.get_layer("layer_1").get_weights() + model.get_layer("head").get_weights()
    return {
        "weights": [w.tolist() for w in weights],
        "x": x.tolist(),
        "y": y.tolist(),
        "profile": gradient_profile(model, x, y).to_dict(orient="list"),
    }


def stacked(rng):
    """Two layers over front-padded, masked sequences; compiled, then after a weight update."""
    spec = ModelSpec(parse_layers("lstm:4:seq:back,gru:3"), outputs=2, mask_value=0.0)
    model = build_model(spec, 6, 3, seed=0)
    _draw_weights(model, rng)
    x = rng.normal(size=(5, 6, 3)).astype("float32")
    x[0, :2] = 0.0
    y = rng.normal(size=(5, 2))
    profiler = GradientProfiler(model, jit_compile=True)
    out = {"eager": gradient_profile(model, x, y), "jit": profiler(x, y)}
    kernel = model.get_layer("layer_1").cell.recurrent_kernel
    kernel.assign(2 * kernel)
    out["jit_after_update"] = profiler(x, y)  # the compiled profile follows the weights
    out["eager_after_update"] = gradient_profile(model, x, y)
    return {name: frame.to_dict(orient="list") for name, frame in out.items()}


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    result = {"backend": keras.backend.backend(), "single": single(rng), "stacked": stacked(rng)}
    print(json.dumps(result))
