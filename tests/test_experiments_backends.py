"""The gradient profile on every Keras backend it supports, each in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from bptt import lstm_bptt

# Trains models (left out by pytest -m "not slow"); runs both backends itself, so the JAX pass
# leaves it out.
pytestmark = [pytest.mark.slow, pytest.mark.own_processes]

SCRIPT = Path(__file__).with_name("gradient_profile_run.py")
REPO = SCRIPT.parents[1]


@pytest.fixture(scope="module")
def profiles():
    """``{backend: the script's JSON}``, one subprocess per backend."""
    runs = {}
    for backend in ("tensorflow", "jax"):
        env = {**os.environ, "KERAS_BACKEND": backend, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, str(SCRIPT)], env=env, cwd=REPO, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr[-3000:]
        runs[backend] = json.loads(done.stdout.strip().splitlines()[-1])
    return runs


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_profile_matches_a_float64_bptt_on_the_backend(profiles, backend):
    run = profiles[backend]
    assert run["backend"] == backend
    single = run["single"]
    x, y = np.array(single["x"]), np.array(single["y"])
    grads = lstm_bptt(single["weights"], x, y, sequences=True, go_backwards=True)
    for column, name in [("dL_dh", "h"), ("dL_dc", "c"), ("dL_dx", "x")]:
        expected = np.linalg.norm(grads[name], axis=-1).mean(axis=0)  # (T,)
        np.testing.assert_allclose(single["profile"][column], expected, rtol=1e-4, err_msg=column)


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_compiled_profile_follows_the_weights_on_the_backend(profiles, backend):
    stacked = profiles[backend]["stacked"]
    assert list(stacked["jit"]) == ["t", "dL_dx", "dL_dh", "dL_dc", "forget_gate"]
    for before, after in [("eager", "jit"), ("eager_after_update", "jit_after_update")]:
        for column in ("dL_dx", "dL_dh", "dL_dc", "forget_gate"):
            np.testing.assert_allclose(stacked[after][column], stacked[before][column], rtol=1e-5)
    assert not np.allclose(stacked["jit"]["dL_dh"], stacked["jit_after_update"]["dL_dh"])


def test_backends_agree_on_a_masked_stack(profiles):
    tf_run, jax_run = profiles["tensorflow"]["stacked"], profiles["jax"]["stacked"]
    for name in ("eager", "jit_after_update"):
        for column in ("dL_dx", "dL_dh", "dL_dc", "forget_gate"):
            np.testing.assert_allclose(jax_run[name][column], tf_run[name][column], rtol=1e-5)
