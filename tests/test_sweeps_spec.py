"""SweepSpec: trials, JSON round trip, validation; the aggregate and breaking lengths."""

import json
import subprocess
import sys

import pytest

from lstm_core.errors import ConfigError
from lstm_core.experiments.config import CompareConfig
from lstm_core.settings import load_limits, sweeps_enabled
from lstm_core.sweeps import SweepSpec, aggregate, breaking_lengths
from lstm_core.sweeps.breaking import breaking_spec, point_config

BASE = CompareConfig(timesteps=10, units=4, epochs=1, n_train=32, n_val=16, batch_size=16)


def test_trials_are_every_point_times_every_seed_seed_by_seed():
    spec = SweepSpec(BASE, axes=(("timesteps", (10, 20)),), seeds=(0, 1))
    keys = [trial.key for trial in spec.trials()]
    assert keys == [
        "kind=rnn,timesteps=10,seed=0",
        "kind=rnn,timesteps=20,seed=0",
        "kind=lstm,timesteps=10,seed=0",
        "kind=lstm,timesteps=20,seed=0",
        "kind=rnn,timesteps=10,seed=1",
        "kind=rnn,timesteps=20,seed=1",
        "kind=lstm,timesteps=10,seed=1",
        "kind=lstm,timesteps=20,seed=1",
    ]
    last = spec.trials()[-1].config
    assert (last.kinds, last.timesteps, last.seed, last.units) == (("lstm",), 20, 1, 4)


def test_a_spec_round_trips_through_json():
    spec = SweepSpec(
        BASE,
        axes=(("kind", ("gru", "lstm")), ("learning_rate", (0.01, 0.001))),
        seeds=(3, 4),
        name="lr",
    )
    again = SweepSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec
    assert [t.key for t in again.trials()] == [t.key for t in spec.trials()]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"axes": {"colour": [1, 2]}}, r"axis 'colour' is not a field a sweep can vary"),
        ({"axes": {"timesteps": [10, 10]}}, r"axis 'timesteps' must be a non-empty list of dist"),
        ({"axes": {"timesteps": []}}, r"must be a non-empty list"),
        ({"seeds": []}, r"seeds must be a non-empty list of distinct seeds, got \(\)"),
        ({"seeds": [-1]}, r"SweepSpec seed must be between 0 and 2147483647, got -1"),
        ({"axes": {"units": [4, 0]}}, r"CompareConfig units must be between 1 and 512, got 0"),
        ({"axes": {"kind": ["rnn", "tree"]}}, r"kinds must be a non-empty tuple of"),
        ({"axes": [10]}, r"axes must be a dict of field -> list of values, got list"),
        ({"sweeps": 1}, r"Unknown SweepSpec key\(s\) \['sweeps'\]"),
    ],
)
def test_a_bad_spec_names_what_is_wrong_and_the_fix(change, message):
    d = {**SweepSpec(BASE).to_dict(), **change}
    with pytest.raises(ConfigError, match=message):
        SweepSpec.from_dict(d)


def test_the_trial_cap_names_its_variable(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_SWEEP_TRIALS", "3")
    d = SweepSpec(BASE, seeds=(0, 1)).to_dict()  # 2 kinds x 2 seeds
    with pytest.raises(ConfigError, match=r"must be between 1 and 3, got 4; .*LSTM_LAB_MAX_SWEEP"):
        SweepSpec.from_dict(d, load_limits())


def test_sweeps_are_off_when_hosted_unless_the_host_turns_them_on(monkeypatch):
    monkeypatch.delenv("LSTM_LAB_SWEEPS", raising=False)
    assert sweeps_enabled(hosted=False)
    assert not sweeps_enabled(hosted=True)
    assert sweeps_enabled(hosted=True, overrides={"LSTM_LAB_SWEEPS": "true"})
    monkeypatch.setenv("LSTM_LAB_SWEEPS", "1")
    assert sweeps_enabled(hosted=True)


def trial(kind, seed, val_loss, status="finished", solved=None):
    return {
        "settings": {"kind": kind, "timesteps": 50, "seed": seed},
        "status": status,
        "val_loss": val_loss,
        "baseline": 0.2,
        "solved": solved,
        "reach_after": None,
    }


def test_the_aggregate_is_the_median_and_iqr_of_finished_trials():
    rows = aggregate(
        [
            trial("lstm", 0, 0.01, solved=0.9),
            trial("lstm", 1, 0.03, solved=0.5),
            trial("lstm", 2, 0.05, solved=0.7),
            trial("lstm", 3, 0.07, solved=0.8),
            trial("lstm", 4, 9.0, status="failed"),  # not counted
            trial("rnn", 0, None, status="stopped"),
        ]
    )
    lstm, rnn = rows
    assert (lstm["kind"], lstm["timesteps"], lstm["seeds"]) == ("lstm", 50, 4)
    # numpy's linear percentiles of 0.01, 0.03, 0.05, 0.07: 0.025, 0.04, 0.055
    assert lstm["val_loss_median"] == pytest.approx(0.04)
    assert (lstm["val_loss_q25"], lstm["val_loss_q75"]) == pytest.approx((0.025, 0.055))
    assert lstm["skill_median"] == pytest.approx(1 - 0.04 / 0.2)
    assert lstm["solved_median"] == pytest.approx(0.75)
    assert lstm["reach_after_median"] is None
    assert (rnn["seeds"], rnn["val_loss_median"]) == (0, None)


def test_the_breaking_length_is_the_longest_length_solved():
    rows = [
        {"kind": "rnn", "timesteps": 25, "val_loss_median": 0.01},
        {"kind": "rnn", "timesteps": 100, "val_loss_median": 0.16},
        {"kind": "lstm", "timesteps": 25, "val_loss_median": 0.001},
        {"kind": "lstm", "timesteps": 100, "val_loss_median": 0.049},
        {"kind": "gru", "timesteps": 25, "val_loss_median": 0.05},  # not below 0.05
    ]
    assert breaking_lengths(rows) == {"rnn": 25, "lstm": 100, "gru": None}


def test_a_point_of_the_breaking_length_reference_can_be_run_again():
    spec = breaking_spec(lengths=(25, 50), kinds=("rnn", "lstm"), seeds=(0, 1))
    shipped = {"spec": spec.to_dict()}
    config = point_config(shipped, "lstm", 50, 1)
    assert config == spec.trials()[-1].config


def test_importing_the_sweeps_and_the_command_line_does_not_import_ray():
    code = (
        "import sys, lstm_core.sweeps, lstm_core.cli, lstm_core.sweeps.breaking\n"
        "print(sorted(m for m in ('ray', 'tensorflow', 'jax') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "[]", done.stderr[-2000:]
