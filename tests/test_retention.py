"""Retention: old workspaces go by age, then by size, oldest first; a training one never."""

import sqlite3
import time

import pytest
from test_runs import add_run

from lstm_core import retention
from lstm_core.errors import StoreError
from lstm_core.retention import DAY_S, prune
from lstm_core.runs import RunStore
from lstm_core.settings import Limits


def age(store: RunStore, workspace: str, days: float) -> None:
    """Make every run of ``workspace`` look ``days`` old (start, end and heartbeat)."""
    then = time.time() - days * DAY_S
    with sqlite3.connect(store.folder / "runs.sqlite") as connection:
        connection.execute(
            "UPDATE runs SET created_at = ?, finished_at = ?, heartbeat = ? WHERE workspace = ?",
            (then, then, then, workspace),
        )


@pytest.fixture
def store(tmp_path):
    return RunStore(tmp_path)


def test_an_old_workspace_is_removed_and_a_training_one_spared(store):
    old = add_run(store, workspace="a" * 32)
    (store.folder / "models" / f"{old}.keras").write_bytes(b"weights")
    add_run(store, workspace="b" * 32, status="running")  # this process trains it now
    age(store, "a" * 32, 31)
    recent = add_run(store, workspace="c" * 32)
    later = time.time() + 31 * DAY_S  # the training one looks old too, by then

    assert prune(store, Limits(retention_days=30)) == ["a" * 32]
    assert store.count_runs("a" * 32) == 0
    assert not (store.folder / "models" / f"{old}.keras").exists()
    assert store.get_run(recent, "c" * 32).status == "finished"

    assert prune(store, Limits(retention_days=30), now=later) == ["c" * 32]
    assert store.count_runs("b" * 32) == 1  # still training: kept however old
    assert [w.training for w in store.workspaces()] == [True]


def test_over_the_cap_the_oldest_workspaces_go_first(store):
    for days, workspace in ((3, "w1"), (2, "w2"), (1, "w3")):
        run_id = add_run(store, workspace=workspace)
        (store.folder / "models" / f"{run_id}.keras").write_bytes(b"x" * 400_000)
        with sqlite3.connect(store.folder / "runs.sqlite") as connection:
            connection.execute(
                "UPDATE runs SET model_file = ? WHERE id = ?", (f"models/{run_id}.keras", run_id)
            )
        age(store, workspace, days)
    sizes = {w.workspace: w.size_bytes for w in store.workspaces()}
    assert all(400_000 < size < 402_000 for size in sizes.values()), sizes

    assert prune(store, Limits(store_cap_mb=0.5)) == ["w1", "w2"]
    assert [w.workspace for w in store.workspaces()] == ["w3"]


def test_a_workspace_with_a_training_run_cannot_be_deleted(store):
    add_run(store, workspace="busy", status="running")
    with pytest.raises(StoreError, match="still training"):
        store.delete_workspace("busy")


def test_stored_experiments_expire_with_the_runs(store):
    kept = store.save_experiment('{"lstm_lab": 1}')
    assert prune(store, Limits(retention_days=1)) == []
    assert store.load_experiment(kept) == '{"lstm_lab": 1}'
    prune(store, Limits(retention_days=1), now=time.time() + 2 * DAY_S)
    with pytest.raises(StoreError, match="no stored experiment"):
        store.load_experiment(kept)


def test_the_promise_states_the_limits():
    text = retention.promise(Limits(retention_days=7, store_cap_mb=500))
    assert "kept for 7 days after your last training run" in text
    assert "500 MB" in text and "never removed" in text
