import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import zipfile

import pytest

from lstm_core import runs
from lstm_core.errors import StoreError
from lstm_core.runs import RunStore, database, liveness

MODEL_SPEC = {"layers": [{"kind": "lstm", "units": 4}], "head": "regression", "outputs": 1}
CONFIG = {"epochs": 3, "batch_size": 8, "seed": 0}


def add_run(store, workspace="local", epochs=2, status="finished"):
    run_id = store.create_run(
        model_spec=MODEL_SPEC,
        train_config=CONFIG,
        dataset={"name": "tiny.csv", "rows": 10},
        window_spec={"lookback": 3},
        workspace=workspace,
        name="tiny",
    )
    for epoch in range(1, epochs + 1):
        store.record_epoch(run_id, epoch, {"loss": 1.0 / epoch, "val_loss": 2.0 / epoch})
    if status != "running":
        store.finish_run(run_id, status, test_metrics={"rmse": 0.5}, timings={"train_s": 1.0})
    return run_id


def test_a_run_reads_back_as_written(tmp_path):
    store = RunStore(tmp_path)
    run_id = add_run(store)
    run = store.get_run(run_id)
    assert len(run_id) == 12 and int(run_id, 16) >= 0
    assert (run.status, run.name, run.dataset["name"]) == ("finished", "tiny", "tiny.csv")
    assert run.model_spec == MODEL_SPEC and run.train_config == CONFIG
    assert run.window_spec == {"lookback": 3}
    assert run.history.to_dict("list") == {
        "epoch": [1, 2],
        "loss": [1.0, 0.5],
        "val_loss": [2.0, 1.0],
    }
    assert run.test_metrics == {"rmse": 0.5} and run.finished_at >= run.created_at
    assert (tmp_path / "runs.sqlite").exists() and (tmp_path / "models").is_dir()


def test_list_runs_shows_status_dataset_and_last_loss():
    store = RunStore.in_memory()
    first = add_run(store, epochs=2)
    second = add_run(store, epochs=1, status="stopped")
    table = store.list_runs()
    assert list(table.columns) == [
        "run_id", "name", "status", "created_at", "dataset", "epochs", "loss", "val_loss",
        "has_model", "sweep_id",
    ]  # fmt: skip
    rows = table.set_index("run_id")
    assert rows.loc[first, ["status", "dataset", "epochs", "loss"]].tolist() == [
        "finished", "tiny.csv", 2, 0.5
    ]  # fmt: skip
    assert rows.loc[second, "status"] == "stopped" and rows.loc[second, "loss"] == 1.0


def test_non_finite_values_are_stored_as_null():
    store = RunStore.in_memory()
    run_id = store.create_run(model_spec=MODEL_SPEC, train_config=CONFIG)
    store.record_epoch(run_id, 1, {"loss": float("nan"), "val_loss": float("inf")})
    history = store.get_run(run_id).history
    assert history["loss"].isna().all() and history["val_loss"].isna().all()


def test_runs_survive_reopening_the_folder(tmp_path):
    run_id = add_run(RunStore(tmp_path), epochs=3)
    reopened = RunStore(tmp_path)
    assert reopened.get_run(run_id).history["epoch"].tolist() == [1, 2, 3]
    assert reopened.list_runs()["run_id"].tolist() == [run_id]


def test_a_run_of_another_workspace_is_invisible():
    store = RunStore.in_memory()
    mine = add_run(store, workspace="alice")
    add_run(store, workspace="bob")
    add_run(store, workspace="bob")
    assert store.list_runs("alice")["run_id"].tolist() == [mine]
    assert (store.count_runs("alice"), store.count_runs("bob"), store.count_runs("eve")) == (
        1,
        2,
        0,
    )
    with pytest.raises(StoreError, match="no run .* in this workspace"):
        store.get_run(mine, "bob")
    with pytest.raises(StoreError, match="no run"):
        store.delete_run(mine, "bob")
    with pytest.raises(StoreError, match="no run"):
        store.export_files(mine, "bob")
    assert store.list_runs("alice")["run_id"].tolist() == [mine]


@pytest.mark.parametrize("bad_id", ["../runs", "ABCDEF123456", "", "0" * 13])
def test_an_id_that_is_not_a_run_id_is_not_found(bad_id):
    store = RunStore.in_memory()
    with pytest.raises(StoreError, match="no run"):
        store.get_run(bad_id)


def test_delete_removes_the_run_and_its_model_file(tmp_path):
    store = RunStore(tmp_path)
    run_id = add_run(store)
    model_file = tmp_path / "models" / f"{run_id}.keras"
    model_file.write_bytes(b"weights")
    store.delete_run(run_id)
    assert store.list_runs().empty and not model_file.exists()
    with pytest.raises(StoreError, match="no run"):
        store.get_run(run_id)


def test_a_run_still_training_cannot_be_deleted():
    store = RunStore.in_memory()
    run_id = add_run(store, status="running")
    with pytest.raises(StoreError, match="still training; stop it"):
        store.delete_run(run_id)


def test_export_writes_config_history_and_model(tmp_path):
    store = RunStore.in_memory()
    run_id = add_run(store)
    paths = store.export_run(run_id, tmp_path / "out")
    names = sorted(path.name for path in paths)
    assert names == [f"{run_id}_config.json", f"{run_id}_history.csv"]
    config = json.loads((tmp_path / "out" / f"{run_id}_config.json").read_text())
    assert config["model_spec"] == MODEL_SPEC and config["test_metrics"] == {"rmse": 0.5}
    csv = (tmp_path / "out" / f"{run_id}_history.csv").read_text().splitlines()
    assert csv == ["epoch,loss,val_loss", "1,1.0,2.0", "2,0.5,1.0"]
    with zipfile.ZipFile(io.BytesIO(store.export_zip(run_id))) as archive:
        assert sorted(archive.namelist()) == names


def test_save_and_load_a_keras_model(tmp_path):
    import keras
    store = RunStore(tmp_path)
    run_id = add_run(store)
    inputs = keras.Input((3, 1))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.LSTM(2)(inputs)))
    assert store.list_runs()["has_model"].tolist() == [False]
    path = store.save_model(run_id, model)
    assert path == tmp_path / "models" / f"{run_id}.keras"
    assert store.list_runs()["has_model"].tolist() == [True]
    assert store.get_run(run_id).model_path == path
    loaded = RunStore(tmp_path).load_model(run_id)
    assert [w.shape for w in loaded.get_weights()] == [w.shape for w in model.get_weights()]
    assert f"{run_id}.keras" in store.export_files(run_id)


class FailsMidway:
    """A model whose save writes part of its file, then fails as a full disk or Keras would."""

    def __init__(self, error):
        self.error = error

    def save(self, path):
        with open(path, "wb") as file:
            file.write(b"the first half of a .keras file")
        raise self.error


@pytest.mark.parametrize(
    "error, raised",
    [(OSError(28, "No space left on device"), StoreError), (RuntimeError("midway"), RuntimeError)],
)
def test_a_failed_save_leaves_nothing_behind(tmp_path, error, raised):
    store = RunStore(tmp_path)
    run_id = add_run(store)
    kept = store.save_model_bytes(run_id, b"the model saved before")
    with pytest.raises(raised):
        store.save_model(run_id, FailsMidway(error))
    assert sorted(path.name for path in (tmp_path / "models").iterdir()) == [f"{run_id}.keras"]
    assert kept.read_bytes() == b"the model saved before"
    assert store.get_run(run_id).model_path == kept


def test_load_model_of_a_run_without_one_says_so():
    store = RunStore.in_memory()
    run_id = add_run(store, status="failed")
    with pytest.raises(StoreError, match="has no saved model"):
        store.load_model(run_id)


@pytest.mark.parametrize("in_memory", [False, True])
def test_concurrent_writers_lose_nothing(tmp_path, in_memory):
    store = RunStore.in_memory() if in_memory else RunStore(tmp_path)
    run_ids = [store.create_run(model_spec=MODEL_SPEC, train_config=CONFIG) for _ in range(4)]

    def write(run_id):
        for epoch in range(1, 21):
            store.record_epoch(run_id, epoch, {"loss": float(epoch)})

    threads = [threading.Thread(target=write, args=(run_id,)) for run_id in run_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    reader = store if in_memory else RunStore(tmp_path)
    assert reader.list_runs()["epochs"].tolist() == [20] * 4


WRITER = """
import sys, time
from lstm_core.runs import RunStore
store = RunStore(sys.argv[1])
run_id = store.create_run(model_spec={"layers": []}, train_config={}, dataset={"name": "d"})
for epoch in (1, 2, 3):
    store.record_epoch(run_id, epoch, {"loss": 1.0 / epoch})
print(run_id, flush=True)
time.sleep(60)
"""


def test_a_killed_writer_leaves_an_interrupted_run_and_the_others_intact(tmp_path):
    earlier = add_run(RunStore(tmp_path))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=os.path.dirname(os.path.dirname(__file__)),
    )
    killed = writer.stdout.readline().strip()
    assert RunStore(tmp_path).get_run(killed).status == "running"
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    store = RunStore(tmp_path)
    run = store.get_run(killed)
    assert run.status == "interrupted"
    assert run.history["loss"].tolist() == pytest.approx([1.0, 0.5, 1 / 3])
    assert store.get_run(earlier).status == "finished"
    assert store.get_run(earlier).history["epoch"].tolist() == [1, 2]


def test_a_stale_heartbeat_reads_as_interrupted(monkeypatch):
    store = RunStore.in_memory()
    run_id = add_run(store, status="running")
    assert store.get_run(run_id).status == "running"
    monkeypatch.setattr(liveness, "STALE_AFTER_S", -1.0)
    assert store.get_run(run_id).status == "interrupted"
    assert store.list_runs()["status"].tolist() == ["interrupted"]


def test_a_run_left_by_an_earlier_process_with_our_pid_is_interrupted(monkeypatch):
    store = RunStore.in_memory()
    run_id = add_run(store, status="running")
    monkeypatch.setattr(liveness, "PROCESS", "a-later-process")
    assert store.get_run(run_id).status == "interrupted"


def test_a_corrupt_database_is_reported_and_left_untouched(tmp_path):
    damaged = b"this is not a database at all" * 100
    (tmp_path / "runs.sqlite").write_bytes(damaged)
    with pytest.raises(StoreError, match=r"runs\.sqlite .*damaged and was left untouched"):
        RunStore(tmp_path)
    assert (tmp_path / "runs.sqlite").read_bytes() == damaged


def test_an_unusable_folder_is_reported_with_its_path(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the store folder should be")
    with pytest.raises(StoreError, match=r"folder .*file.* cannot be created.*LSTM_LAB_STORE"):
        RunStore(blocker / "store")


def test_default_store_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "chosen"))
    assert RunStore.default().folder == tmp_path / "chosen"
    monkeypatch.delenv("LSTM_LAB_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    if sys.platform.startswith("linux"):
        assert runs.default_folder() == tmp_path / "data" / "lstm-lab"


def test_finish_rejects_an_unknown_status():
    store = RunStore.in_memory()
    run_id = add_run(store, status="running")
    with pytest.raises(StoreError, match=r"'failed', 'interrupted'\), got status='done'"):
        store.finish_run(run_id, "done")


def test_a_schema_1_store_joins_the_command_lines_runs_to_the_apps(tmp_path):
    store = RunStore(tmp_path)
    cli_run = add_run(store, workspace="default")  # schema 1's command line
    app_run = add_run(store, workspace="local")  # schema 1's app
    store.close()
    with sqlite3.connect(tmp_path / "runs.sqlite") as connection:
        connection.execute("PRAGMA user_version = 1")
    again = RunStore(tmp_path)
    assert set(again.list_runs()["run_id"]) == {cli_run, app_run}
    assert again.list_runs("default").empty


def test_a_run_ends_as_interrupted_with_its_epochs(tmp_path):
    store = RunStore(tmp_path)
    run_id = add_run(store, epochs=3, status="running")
    store.finish_run(run_id, "interrupted", error="The server shut down.")
    store.close()
    run = RunStore(tmp_path).get_run(run_id)
    assert (run.status, len(run.history), run.error) == ("interrupted", 3, "The server shut down.")


def test_a_diagnosis_is_kept_with_its_run_exported_and_deleted_with_it(tmp_path):
    store = RunStore(tmp_path)
    run_id = add_run(store)
    assert store.get_run(run_id).diagnosis is None  # not kept yet
    diagnosis = {"flat": False, "spread": 0.8, "layers": [{"layer": 1, "memory_steps": 4.0}]}
    store.save_diagnosis(run_id, diagnosis)
    assert RunStore(tmp_path).get_run(run_id).diagnosis == diagnosis
    config = json.loads(store.export_files(run_id)[f"{run_id}_config.json"])
    assert config["diagnosis"] == diagnosis
    store.delete_run(run_id)
    with sqlite3.connect(tmp_path / "runs.sqlite") as connection:
        assert connection.execute("SELECT COUNT(*) FROM diagnoses").fetchone() == (0,)


def test_a_store_written_before_diagnoses_were_kept_still_opens(tmp_path):
    run_id = add_run(RunStore(tmp_path))
    with sqlite3.connect(tmp_path / "runs.sqlite") as connection:
        connection.execute("DROP TABLE diagnoses")  # as an older LSTM Lab left it
    store = RunStore(tmp_path)
    assert store.get_run(run_id).diagnosis is None
    store.save_diagnosis(run_id, {"flat": True})
    assert store.get_run(run_id).diagnosis == {"flat": True}


@pytest.mark.parametrize("old_version", [1, 2])
def test_a_schema_1_or_2_store_gains_sweeps_and_keeps_its_runs(tmp_path, old_version):
    # A store as schema 1 and 2 wrote it: no sweeps table, no sweep columns in runs.
    with sqlite3.connect(tmp_path / "runs.sqlite") as connection:
        connection.executescript(
            database.SCHEMA.split("CREATE TABLE IF NOT EXISTS sweeps")[0].replace(
                "    heartbeat REAL NOT NULL,\n    sweep_id TEXT,\n    trial TEXT\n",
                "    heartbeat REAL NOT NULL\n",
            )
        )
        connection.execute(
            "INSERT INTO runs (id, workspace, name, created_at, status, dataset, model_spec, "
            "train_config, pid, host, process, heartbeat) VALUES ('0123456789ab', 'local', "
            "'old', 1.0, 'finished', '{}', '{}', '{}', 1, 'h', 'p', 1.0)"
        )
        connection.execute(f"PRAGMA user_version = {old_version}")
        assert "sweep_id" not in {row[1] for row in connection.execute("PRAGMA table_info(runs)")}
    store = RunStore(tmp_path)
    old = store.get_run("0123456789ab")
    assert (old.name, old.sweep_id, old.trial) == ("old", None, None)
    sweep_id = store.create_sweep({"seeds": [0]}, name="s")
    run_id = store.create_run(model_spec=MODEL_SPEC, train_config=CONFIG, sweep_id=sweep_id,
                              trial="kind=lstm,seed=0")  # fmt: skip
    assert store.get_run(run_id).sweep_id == sweep_id
    assert list(store.sweep_trials(sweep_id)) == ["kind=lstm,seed=0"]
    assert store.list_runs()["sweep_id"].tolist()[0] == sweep_id  # newest first
    assert store.list_runs()["sweep_id"].isna().tolist() == [False, True]
    store.close()
    with sqlite3.connect(tmp_path / "runs.sqlite") as connection:
        assert connection.execute("PRAGMA user_version").fetchone() == (runs.SCHEMA_VERSION,)
    assert runs.SCHEMA_VERSION == 3


def test_model_bytes_from_another_machine_are_kept_as_the_runs_model(tmp_path):
    """A sweep worker's ``.keras`` bytes become the run's model file, renamed into place."""
    store = RunStore(tmp_path)
    run_id = add_run(store)
    path = store.save_model_bytes(run_id, b"a .keras file's bytes")
    assert path.read_bytes() == b"a .keras file's bytes"
    assert store.get_run(run_id).model_path == path
    assert not list(path.parent.glob("*.partial.keras"))
