import dataclasses
import os

import pytest

from lstm_core.errors import ConfigError
from lstm_core.settings import Limits, load_limits


def test_defaults_when_nothing_is_set(monkeypatch):
    for field in dataclasses.fields(Limits):
        monkeypatch.delenv(f"LSTM_LAB_{field.name.upper()}", raising=False)
    assert load_limits() == Limits()


def test_environment_overrides_default(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_UNITS", "1024")
    monkeypatch.setenv("LSTM_LAB_MAX_UPLOAD_MB", "2.5")
    limits = load_limits()
    assert limits.max_units == 1024
    assert limits.max_upload_mb == 2.5


def test_secrets_override_environment(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_EPOCHS", "50")
    limits = load_limits({"MAX_EPOCHS": 7, "unrelated_secret": "x"})
    assert limits.max_epochs == 7


@pytest.mark.parametrize("raw", ["lots", "-3", "0"])
def test_bad_value_names_the_variable(monkeypatch, raw):
    monkeypatch.setenv("LSTM_LAB_MAX_CONCURRENT_JOBS", raw)
    with pytest.raises(ConfigError, match="LSTM_LAB_MAX_CONCURRENT_JOBS"):
        load_limits()


def test_importing_the_package_sets_backend_without_overriding(monkeypatch):
    import subprocess
    import sys

    code = "import os, lstm_core; print(os.environ['KERAS_BACKEND'], os.environ['TF_CPP_MIN_LOG_LEVEL'])"
    unset = {
        k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND", "TF_CPP_MIN_LOG_LEVEL")
    }
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=unset
    )
    assert out.stdout.split() == ["tensorflow", "2"]
    env = {"KERAS_BACKEND": "jax", "TF_CPP_MIN_LOG_LEVEL": "0", "PATH": ""}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.split() == ["jax", "0"]


@pytest.mark.parametrize(
    "name, raw, kind", [("max_units", "many", "whole number"), ("max_upload_mb", "big", "number")]
)
def test_a_limit_that_is_not_a_number_says_which_kind_of_number(name, raw, kind):
    with pytest.raises(
        ConfigError, match=rf"Limit '{name}' must be a positive {kind}, got '{raw}'"
    ):
        load_limits({name: raw})
