"""Runs are compared only with runs on the same data, windowed the same way."""

from types import SimpleNamespace

from lstm_core.run_groups import group_of, group_runs


def run(name, **spec):
    window_spec = {"targets": ["y"], "scaler": "minmax", "lookback": 6, **spec}
    return SimpleNamespace(dataset={"name": name}, window_spec=window_spec)


def test_runs_group_by_dataset_and_the_settings_that_change_the_loss():
    a, b = run("airline"), run("airline", lookback=12)  # lookback: still comparable
    c = run("airline", scaler="standard")  # another scale of loss
    d = run("temperatures")
    groups = group_runs([a, b, c, d])
    assert list(groups) == [
        "airline · y · minmax",
        "airline · y · standard",
        "temperatures · y · minmax",
    ]
    assert groups["airline · y · minmax"] == [a, b]


def test_differenced_and_old_runs_get_their_own_groups_and_labels():
    old = SimpleNamespace(dataset={"name": "airline"}, window_spec=None)
    new = run("airline", difference=True, horizon=3)
    assert list(group_runs([old, new])) == [
        "airline · ?",
        "airline · y · minmax · differenced · horizon 3",
    ]


def test_the_trials_of_a_sweep_are_one_group_whatever_their_settings():
    from types import SimpleNamespace

    def trial(timesteps, sweep_id):
        return SimpleNamespace(
            sweep_id=sweep_id,
            window_spec=None,
            dataset={"name": "adding problem", "timesteps": timesteps},
        )

    runs = [trial(25, "aaaaaaaaaaaa"), trial(50, "aaaaaaaaaaaa"), trial(25, "bbbbbbbbbbbb")]
    groups = group_runs(runs)
    assert {label: len(members) for label, members in groups.items()} == {
        "Sweep aaaaaaaaaaaa · adding problem": 2,
        "Sweep bbbbbbbbbbbb · adding problem": 1,
    }


def test_a_run_is_found_in_its_group_and_a_missing_one_in_none():
    a, b = run("airline"), run("airline", scaler="standard")
    a.run_id, b.run_id = "aaa", "bbb"
    assert group_of([a, b], "bbb") == "airline · y · standard"
    assert group_of([a, b], "ccc") is None
