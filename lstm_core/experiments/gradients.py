"""How far back the loss gradient reaches: ``||dL/dx_t||``, ``||dL/dh_t||`` and ``||dL/dc_t||``.

The gradients with respect to the states at step ``t`` are the total ones: through the output
at ``t`` and through every later step (for ``c_t`` of an LSTM: into ``h_t`` and into
``c_{t+1}``). A recurrent layer does not expose its per-step states as tensors one can
differentiate by, so the model's forward pass is rerun with a zero "probe" added to each state
of its first recurrent layer (``lstm_core.experiments.probe``): the gradient with respect to the
probe is the gradient with respect to the state. Every step's gradient, and ``dL/dx``, then come
from one backward pass (Bengio, Simard & Frasconi 1994 and Pascanu, Mikolov & Bengio 2013
measure the same quantity to show vanishing gradients). For an LSTM the mean forget gate per
step is recorded too: ``dL/dc_{t-1} = f_t * dL/dc_t + ...``, so a forget gate held near 1 is what
keeps the cell-state gradient alive (Hochreiter & Schmidhuber 1997; Gers, Schmidhuber & Cummins
2000).

The backward pass is the one backend-specific step (``lstm_core.experiments.backprop``); the
rest is Keras' ops, so the profile runs on TensorFlow and on JAX.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstm_core.errors import DataError, SpecError


class GradientProfiler:
    """Per-step gradient norms of a model's loss, compiled once and reusable.

    Build it once per model and call it as often as needed (for example after every epoch): the
    first call traces (and by default compiles) the forward and backward pass, later calls with
    the same batch shape reuse it and cost about as much as one training step.

    Args:
        model: a functional ``keras.Model`` with at least one ``SimpleRNN``, ``GRU`` or ``LSTM``
            layer, as ``lstm_core.model.build_model`` makes; the first one (``layer_1``) is
            probed, whatever its return options.
        loss: a Keras loss (name, function or ``keras.losses.Loss``). Default: the loss the
            model was compiled with, else mean squared error.
        loss_steps: for a model with an output per step ``(batch, timesteps, ...)``, the loss
            of only the last ``loss_steps`` outputs is differentiated (the copy task's recall
            steps); ``None``, the default, differentiates the loss of every output.
        jit_compile: bool, compile with XLA (``jax.jit`` on JAX), as Keras compiles a training
            step by default: a slower first call (about a second), then several times faster
            calls. Default True.

    Call arguments:
        x: array of shape ``(batch, timesteps, features)``.
        y: targets, shaped as the model's loss expects, e.g. ``(batch, outputs)``.

    Returns:
        A ``pandas.DataFrame`` with one row per step ``t`` of the input, see ``gradient_profile``.
    """

    def __init__(self, model, loss=None, *, loss_steps: int | None = None, jit_compile=True):
        import keras

        from lstm_core.experiments.backprop import input_gradients
        from lstm_core.experiments.probe import ProbedRecurrent

        self.model = model
        self.layer = first_recurrent_layer(model)
        self.units = self.layer.cell.units
        self.loss_fn = keras.losses.get(loss or getattr(model, "loss", None) or "mse")
        self.loss_steps = loss_steps
        self.probed = ProbedRecurrent(self.layer)
        self.n_states = len(self.probed.row.states)  # 2 for an LSTM or a variant: h and c
        self.has_cell_state = self.n_states > 1
        self.has_forget_gate = self.probed.keep_block is not None  # an LSTM's f
        self._norms = input_gradients(
            self._loss, self._summarize, model.variables, jit_compile=jit_compile
        )

    def __call__(self, x, y) -> pd.DataFrame:
        x, y = self._check(x, y)
        probes = np.zeros((*x.shape[:2], self.n_states * self.units), dtype=x.dtype)
        norms = self._norms(x, probes, y)  # a dict; jax.jit returns its keys sorted
        columns = ["dL_dx", "dL_dh"] + ["dL_dc"] * self.has_cell_state
        columns += ["forget_gate"] * self.has_forget_gate
        profile = pd.DataFrame({"t": np.arange(x.shape[1])})
        for column in columns:
            profile[column] = np.asarray(norms[column])
        profile.attrs["go_backwards"] = bool(self.layer.go_backwards)  # for gradient_reach
        return profile

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

    def _loss(self, x, probes, y):
        """The batch-mean loss of the probed forward pass, and the forget gates."""
        from keras import ops

        from lstm_core.experiments.probe import probed_forward

        y_pred, forget = probed_forward(self.model, self.probed, x, probes)
        if self.loss_steps is not None:  # the loss of the last outputs only
            y, y_pred = y[:, -self.loss_steps :], y_pred[:, -self.loss_steps :]
        return ops.mean(self.loss_fn(y, y_pred)), forget

    def _summarize(self, dx, dprobes, forget):
        """``{column: (timesteps,)}`` per-step norms from the gradients ``(B, T, n)``."""
        from keras import ops

        def batch_mean_norm(g):  # (B, T, n) -> (T,)
            return ops.mean(ops.sqrt(ops.sum(ops.square(g), axis=-1)), axis=0)

        norms = {
            "dL_dx": batch_mean_norm(dx),
            "dL_dh": batch_mean_norm(dprobes[..., : self.units]),
        }
        if self.has_cell_state:
            norms["dL_dc"] = batch_mean_norm(dprobes[..., self.units :])
        if self.has_forget_gate:
            norms["forget_gate"] = ops.mean(forget, axis=(0, 2))  # (T,)
        return norms


def gradient_profile(model, x, y, loss=None, *, loss_steps: int | None = None) -> pd.DataFrame:
    """Per-step gradient norms of ``model``'s loss on one batch, from one backward pass.

    Args:
        model: a functional ``keras.Model`` from ``lstm_core.model.build_model``; its first
            recurrent layer (SimpleRNN, GRU or LSTM) is the one measured.
        x: array of shape ``(batch, timesteps, features)``.
        y: the batch's targets, as the loss expects.
        loss: a Keras loss; default the model's compiled loss, else mean squared error.
        loss_steps: differentiate the loss of only the last ``loss_steps`` outputs of a model
            with an output per step; default every output.

    Returns:
        A ``pandas.DataFrame``, one row per step ``t`` (``0 .. timesteps - 1``), columns:
        ``t``; ``dL_dx``, the mean over the batch of ``||dL/dx_t||`` (the loss is the batch mean);
        ``dL_dh``, the same for the first recurrent layer's hidden state ``h_t``; for an LSTM
        also ``dL_dc``, the same for the cell state ``c_t`` (total: through ``h_t`` and through
        ``c_{t+1}``), and ``forget_gate``, the mean forget gate ``f_t`` over the batch and
        units; for an LSTM variant (``lstm_core.model.variants``) ``dL_dc``, and
        ``forget_gate`` where its ``f`` is a gate of its own block without a peephole (not
        ``nfg``, which has none, nor ``ph``). Step ``t`` is the step that reads ``x[:, t]``, also when the layer runs
        ``go_backwards``; then ``profile.attrs["go_backwards"]`` is True.

    Example:

    >>> profile = gradient_profile(model, x_val[:100], y_val[:100])
    >>> profile.plot(x="t", y="dL_dh", logy=True)

    To profile the same model repeatedly, build a ``GradientProfiler`` once and call it.
    """
    # one call: XLA's compile time would not pay off
    return GradientProfiler(model, loss, loss_steps=loss_steps, jit_compile=False)(x, y)


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
    """How much of the gradient gets from the last step read back to the first step read.

    Args:
        profile: a ``gradient_profile`` frame (rows in input order; a layer that goes
            backwards reads the last row first, which ``profile.attrs["go_backwards"]`` says).

    Returns:
        ``||dL/dh|| at the first step read / ||dL/dh|| at the last step read``:
        ``dL_dh[0] / dL_dh[T-1]``, or ``dL_dh[T-1] / dL_dh[0]`` going backwards. Near 1 when
        the gradient reaches back undiminished, tiny when it vanishes on the way.
    """
    norms = profile["dL_dh"].to_numpy()  # (T,), input order
    if profile.attrs.get("go_backwards", False):
        norms = norms[::-1]  # reading order
    return float(norms[0] / norms[-1])
