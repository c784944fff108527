"""How far back the loss gradient reaches: ``||dL/dx_t||``, ``||dL/dh_t||`` and ``||dL/dc_t||``.

The gradient with respect to the hidden state at step ``t`` is the total one: through the output
at ``t`` and through every later step. A recurrent layer does not expose its per-step states as
tensors one can differentiate by, so the first recurrent layer is rerun over its own cell (same
weights) with a zero "probe" added to each new state: ``h_t + p_t`` is what the next step and the
layers above see, so ``dL/dp_t = dL/dh_t``. Every step's gradient, and ``dL/dx``, then come from
one backward pass (Bengio, Simard & Frasconi 1994 and Pascanu, Mikolov & Bengio 2013 measure the
same quantity to show vanishing gradients). For an LSTM the mean forget gate per step is recorded
too: ``dL/dc_{t-1} = f_t * dL/dc_t + ...``, so a forget gate held near 1 is what keeps the
cell-state gradient alive (Hochreiter & Schmidhuber 1997; Gers, Schmidhuber & Cummins 2000).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstm_core.errors import DataError, SpecError


class GradientProfiler:
    """Per-step gradient norms of a model's loss, compiled once and reusable.

    Build it once per model and call it as often as needed (for example after every epoch): the
    first call traces (and by default XLA-compiles) a TensorFlow graph, later calls with the same
    batch shape reuse it and cost about as much as one training step.

    Args:
        model: a functional ``keras.Model`` with at least one ``SimpleRNN``, ``GRU`` or ``LSTM``
            layer, as ``lstm_core.model.build_model`` makes; the first one (``layer_1``) is
            probed, whatever its return options.
        loss: a Keras loss (name, function or ``keras.losses.Loss``). Default: the loss the
            model was compiled with, else mean squared error.
        jit_compile: bool, compile with XLA, as Keras compiles a training step by default: a
            slower first call (about a second), then several times faster calls. Default True.

    Call arguments:
        x: array of shape ``(batch, timesteps, features)``.
        y: targets, shaped as the model's loss expects, e.g. ``(batch, outputs)``.

    Returns:
        A ``pandas.DataFrame`` with one row per step ``t`` of the input, see ``gradient_profile``.
    """

    def __init__(self, model, loss=None, *, jit_compile: bool = True):
        import keras
        import tensorflow as tf

        from lstm_core.experiments.probe import ProbedRecurrent

        self.model = model
        self.layer = first_recurrent_layer(model)
        self.units = self.layer.cell.units
        self.is_lstm = isinstance(self.layer.cell, keras.layers.LSTMCell)
        self.loss_fn = keras.losses.get(loss or getattr(model, "loss", None) or "mse")
        self.probed = ProbedRecurrent(self.layer)
        self._norms = tf.function(
            self._gradient_norms, reduce_retracing=True, jit_compile=jit_compile
        )

    def __call__(self, x, y) -> pd.DataFrame:
        x, y = self._check(x, y)
        norms = {name: value.numpy() for name, value in self._norms(x, y).items()}
        return pd.DataFrame({"t": np.arange(x.shape[1]), **norms})

    def _check(self, x, y):
        dtype = self.model.inputs[0].dtype
        x = np.asarray(x, dtype=dtype)
        expected = tuple(self.model.inputs[0].shape[1:])
        if x.ndim != 3 or x.shape[1:] != expected:
            raise DataError(
                f"x for the gradient profile must have shape (batch, timesteps, features) = "
                f"(batch, {expected[0]}, {expected[1]}) to fit the model, got shape {x.shape}; "
                "pass a batch of the data the model was built for."
            )
        y = np.asarray(y)
        if y.shape[0] != x.shape[0]:
            raise DataError(
                f"y for the gradient profile must have one target per sequence of x "
                f"({x.shape[0]}), got {y.shape[0]}; pass the targets of the same batch."
            )
        return x, y

    def _gradient_norms(self, x, y):
        """Forward and one backward pass; returns ``{column: (timesteps,)}`` per-step norms."""
        import tensorflow as tf

        batch, timesteps = tf.shape(x)[0], tf.shape(x)[1]
        n_states = 2 if self.is_lstm else 1
        probes = tf.zeros([batch, timesteps, n_states * self.units], dtype=x.dtype)
        kept = {}

        def probed_call(inputs, **kwargs):  # what the graph walk calls in place of the layer
            returned = self.probed(inputs, probes)  # [output, (states...), forget gates]
            kept["forget"] = returned.pop()
            return returned if self.layer.return_state else returned[0]

        with tf.GradientTape() as tape:
            tape.watch([x, probes])
            # Keras' own walk of a functional graph (what Model.call runs), with the first
            # recurrent layer swapped; no public API swaps one layer's call. Outside fit(),
            # layers run in inference mode (no dropout).
            y_pred = self.model._run_through_graph(
                x, lambda op: probed_call if op is self.layer else op
            )
            loss = tf.reduce_mean(self.loss_fn(y, y_pred))
        dx, dp = tape.gradient(loss, [x, probes])  # (B, T, features), (B, T, n_states * units)

        def batch_mean_norm(g):  # (B, T, n) -> (T,)
            return tf.reduce_mean(tf.norm(g, axis=-1), axis=0)

        norms = {"dL_dx": batch_mean_norm(dx), "dL_dh": batch_mean_norm(dp[..., : self.units])}
        if self.is_lstm:
            norms["dL_dc"] = batch_mean_norm(dp[..., self.units :])
            norms["forget_gate"] = tf.reduce_mean(kept["forget"], axis=[0, 2])  # (T,)
        return norms


def gradient_profile(model, x, y, loss=None) -> pd.DataFrame:
    """Per-step gradient norms of ``model``'s loss on one batch, from one backward pass.

    Args:
        model: a functional ``keras.Model`` from ``lstm_core.model.build_model``; its first
            recurrent layer (SimpleRNN, GRU or LSTM) is the one measured.
        x: array of shape ``(batch, timesteps, features)``.
        y: the batch's targets, as the loss expects.
        loss: a Keras loss; default the model's compiled loss, else mean squared error.

    Returns:
        A ``pandas.DataFrame``, one row per step ``t`` (``0 .. timesteps - 1``), columns:
        ``t``; ``dL_dx``, the mean over the batch of ``||dL/dx_t||`` (the loss is the batch mean);
        ``dL_dh``, the same for the first recurrent layer's hidden state ``h_t``; for an LSTM
        also ``dL_dc`` (cell state ``c_t``) and ``forget_gate``, the mean forget gate ``f_t``
        over the batch and units. Step ``t`` is the step that reads ``x[:, t]``, also when the
        layer runs ``go_backwards``.

    Example:

    >>> profile = gradient_profile(model, x_val[:100], y_val[:100])
    >>> profile.plot(x="t", y="dL_dh", logy=True)

    To profile the same model repeatedly, build a ``GradientProfiler`` once and call it.
    """
    # one call: XLA's compile time would not pay off
    return GradientProfiler(model, loss, jit_compile=False)(x, y)


def first_recurrent_layer(model):
    """The first ``SimpleRNN``, ``GRU`` or ``LSTM`` layer of ``model``, else ``SpecError``."""
    from lstm_core.model import recurrent_layers

    layers = recurrent_layers(model)
    if layers:
        return layers[0]
    raise SpecError(
        f"The gradient profile needs a model with a recurrent layer, got layers "
        f"{[layer.name for layer in model.layers]}; add an lstm, gru or rnn layer."
    )


def gradient_reach(profile: pd.DataFrame) -> float:
    """How much of the gradient gets from the last step back to the first.

    Args:
        profile: a ``gradient_profile`` frame.

    Returns:
        ``||dL/dh_0|| / ||dL/dh_{T-1}||``: near 1 when the gradient reaches back undiminished,
        tiny when it vanishes on the way.
    """
    return float(profile["dL_dh"].iloc[0] / profile["dL_dh"].iloc[-1])
