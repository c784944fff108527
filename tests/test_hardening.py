"""Hosted and hardened (issue 8), unit level: limits, uploads that are never executed, names that
never become paths, and a failing training job that leaves the app usable.

The browser-level checks (private workspaces, the job cap under load, ended sessions, a killed
server) are in ``tests/ui/test_browser_hosted.py`` and ``tests/ui/test_browser_faults.py``.
"""

import ast
import dataclasses
import gc
import re
import tomllib
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.errors import ConfigError, StoreError
from lstm_core.runs import RunStore
from lstm_core.settings import Limits, load_limits

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "app.py"
# Every module that handles what a visitor sends: the engine and the Streamlit shell.
SOURCES = sorted([APP, *(REPO / "lstm_core").rglob("*.py"), *(REPO / "ui").rglob("*.py")])
SOURCES += sorted((REPO / "pages").glob("*.py"))
# What a hosted app has (issue 8), and what the server takes besides the jobs' budgets: about
# 0.9 GB, its peak (VmHWM) with Python, Streamlit, TensorFlow, 4 sessions and two tiny jobs in
# the browser load test (test-output/load-test.txt).
HOST_MB, HOST_CORES, PROCESS_MB = 2_500, 2, 900
HOSTILE = "../../etc/passwd"
TIMEOUT = 180  # seconds per AppTest run: the first one that trains imports TensorFlow


@pytest.fixture(autouse=True)
def clean_environment(tmp_path, monkeypatch):
    """A private run store, local mode and the default limits, whatever the shell has set."""
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("LSTM_LAB_HOSTED", raising=False)
    for field in dataclasses.fields(Limits):
        monkeypatch.delenv(f"LSTM_LAB_{field.name.upper()}", raising=False)


# --- Limits in one place ---------------------------------------------------------------------


@pytest.mark.parametrize("field", dataclasses.fields(Limits), ids=lambda field: field.name)
def test_every_limit_is_set_by_its_environment_variable(field, monkeypatch):
    value = getattr(Limits(), field.name) + 1
    monkeypatch.setenv(f"LSTM_LAB_{field.name.upper()}", str(value))
    assert getattr(load_limits(), field.name) == value


def test_secrets_may_use_the_environment_variable_names(monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MAX_EPOCHS", "50")
    limits = load_limits({"LSTM_LAB_MAX_EPOCHS": 7, "max_units": 9, "LSTM_LAB_HOSTED": "1"})
    assert (limits.max_epochs, limits.max_units) == (7, 9)


@pytest.mark.parametrize("raw", ["nan", "inf"])
def test_a_limit_must_be_finite(raw, monkeypatch):
    monkeypatch.setenv("LSTM_LAB_MEMORY_BUDGET_MB", raw)
    with pytest.raises(ConfigError, match="positive and finite.*LSTM_LAB_MEMORY_BUDGET_MB"):
        load_limits()


def test_the_defaults_fit_a_small_host():
    limits = Limits()
    assert limits.max_concurrent_jobs <= HOST_CORES
    assert PROCESS_MB + limits.max_concurrent_jobs * limits.memory_budget_mb <= HOST_MB


def test_streamlit_lets_a_file_a_little_too_big_reach_the_loader():
    """The app, not the uploader's chip, refuses a file above its limit (and says which data
    stays in use); Streamlit's own cap bounds what a visitor can send at all."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert Limits().max_upload_mb < config["server"]["maxUploadSize"] <= 5 * Limits().max_upload_mb


def train_page(secrets: dict) -> AppTest:
    """A session with ``secrets``, the airline sample windowed, on the Train page."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for name, value in secrets.items():
        at.secrets[name] = value
    at.run()
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/train.py").run()
    assert not at.exception
    return at


def error_texts(at: AppTest) -> list[str]:
    """The error boxes, with ``ui.text.escape_markdown``'s backslashes undone."""
    return [re.sub(r"\\(.)", r"\1", element.value) for element in at.error]


def test_the_app_takes_its_limits_from_streamlit_secrets():
    at = train_page({"LSTM_LAB_MAX_EPOCHS": 5})
    at.number_input(key="train.epochs").set_value(6).run()
    at.button(key="_train.start").click().run()
    assert any("epochs must be between 1 and 5" in e for e in error_texts(at)), error_texts(at)
    assert at.session_state["app.jobs"].get("train") is None


def test_the_app_refuses_a_job_over_the_memory_budget():
    at = train_page({"memory_budget_mb": 0.01})
    at.button(key="_train.start").click().run()
    assert any("MB budget per job" in e for e in error_texts(at)), error_texts(at)
    assert at.session_state["app.jobs"].get("train") is None


# --- Nothing uploaded is executed or unpickled -----------------------------------------------


def calls(path: Path):
    """Every call in ``path``, as ``(what is called, {keyword: value node})``, e.g.
    ``("st.file_uploader", {"type": ...})``."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call):
            yield ast.unparse(node.func), {keyword.arg: keyword.value for keyword in node.keywords}


def test_the_only_uploads_are_csv_and_json_files():
    kinds = [
        ast.literal_eval(keywords.get("type", ast.Constant(None)))
        for path in SOURCES
        for name, keywords in calls(path)
        if name.endswith("file_uploader")
    ]
    assert sorted(map(str, kinds)) == ["['csv']", "['json']"]


def test_no_code_unpickles_evaluates_or_loads_a_model_unsafely():
    unsafe_modules = {"pickle", "cPickle", "dill", "joblib", "marshal", "shelve", "cloudpickle"}
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [alias.name for alias in node.names]
                names += [node.module] if isinstance(node, ast.ImportFrom) else []
                found += [(path.name, n) for n in names if n and n.split(".")[0] in unsafe_modules]
        for name, keywords in calls(path):
            if name in {"eval", "exec", "compile", "__import__"} or name.endswith("read_pickle"):
                found.append((path.name, name))
            allow_pickle = keywords.get("allow_pickle")
            if allow_pickle is not None and not (
                isinstance(allow_pickle, ast.Constant) and allow_pickle.value is False
            ):
                found.append((path.name, "allow_pickle"))
            # Keras' loaders must be called with safe_mode=True. RunStore.load_model is one of
            # them and passes it itself (the next test feeds it a file with code in it).
            safe_mode = keywords.get("safe_mode")
            if (
                name.endswith("load_model")
                and not name.endswith("store.load_model")
                and not (isinstance(safe_mode, ast.Constant) and safe_mode.value is True)
            ):
                found.append((path.name, f"{name} without safe_mode=True"))
    assert found == []


def test_a_model_file_with_python_code_is_refused_by_safe_mode(tmp_path):
    import keras

    store = RunStore(tmp_path / "store")
    run_id = store.create_run(model_spec={}, train_config={})
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(inputs))
    store.save_model(run_id, model)  # as if the file had been swapped for a crafted one
    with pytest.raises(ValueError, match="safe_mode"):
        store.load_model(run_id)


# --- Names never become paths ----------------------------------------------------------------


def test_hostile_run_and_dataset_names_never_become_paths(tmp_path):
    store = RunStore(tmp_path / "store")
    run_id = store.create_run(
        model_spec={"layers": []},
        train_config={"epochs": 1},
        dataset={"name": HOSTILE, "file": HOSTILE},
        workspace=HOSTILE,
        name=HOSTILE,
    )
    store.record_epoch(run_id, 1, {"loss": 1.0})
    store.finish_run(run_id, "finished")
    names = store.export_files(run_id, HOSTILE)
    assert sorted(names) == [f"{run_id}_config.json", f"{run_id}_history.csv"]
    out = tmp_path / "out"
    written = store.export_run(run_id, out, HOSTILE)
    assert all(path.parent == out for path in written)
    everything = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*")}
    assert everything <= {"store", "store/models", "store/runs.sqlite", "out"} | {
        f"store/runs.sqlite-{suffix}" for suffix in ("wal", "shm")
    } | {f"out/{name}" for name in names}


@pytest.mark.parametrize("method", ["get_run", "load_model", "delete_run", "export_files"])
def test_a_run_id_from_outside_is_refused_before_any_file_is_touched(method, tmp_path):
    store = RunStore(tmp_path / "store")
    with pytest.raises(StoreError, match=re.escape(f"There is no run {HOSTILE!r}")):
        getattr(store, method)(HOSTILE)


def test_hostile_values_are_shown_as_text():
    # A long-format file whose class labels are markup: they become the model's class names.
    hostile = ("<script>alert(1)</script>", "[x](javascript:alert(1))")
    rows = [f"{i // 10},{i % 10},{hostile[i // 10 % 2]}" for i in range(120)]
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
    at.switch_page("pages/data.py").run()
    at.radio(key="data.source").set_value("My CSV file").run()
    csv = "\n".join(["id,x,label", *rows]).encode()
    at.file_uploader(key="_data.upload").set_value(("labels.csv", csv, "text/csv")).run()
    at.radio(key="data.kind").set_value("sequences").run()
    assert not at.exception and not at.error, error_texts(at)
    assert at.session_state["data.windows"].class_names == tuple(sorted(hostile))
    assert set(at.dataframe[0].value["label"]) == set(hostile)  # the table holds them as text
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader")
    rendered = [element.value for kind in kinds for element in at.get(kind)]
    assert not [text for text in rendered if any(value in text for value in hostile)]


# --- A failing training job ------------------------------------------------------------------


def test_a_failing_job_ends_failed_with_its_message_and_the_next_run_works():
    # Targets in the billions, unscaled, plain SGD at rate 1, no clipping: the loss starts near
    # 1e17 and passes the engine's 1e20 within an epoch or two, in any float precision.
    values = 1e9 * np.sin(np.arange(60) / 3)
    csv = "t,value\n" + "\n".join(f"{t},{v:.3f}" for t, v in enumerate(values))
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.query_params.update(layers="rnn:4", epochs="20", batch_size="16", learning_rate="1.0")
    at.run()
    at.switch_page("pages/data.py").run()
    at.radio(key="data.source").set_value("My CSV file").run()
    at.file_uploader(key="_data.upload").set_value(("big.csv", csv.encode(), "text/csv")).run()
    at.selectbox(key="data.scaler").set_value("none").run()
    at.switch_page("pages/train.py").run()
    at.selectbox(key="train.optimizer").set_value("sgd")
    at.number_input(key="train.clipnorm").set_value(0.0).run()

    def train() -> str:
        at.button(key="_train.start").click().run()
        status = at.session_state["app.jobs"].get("train").wait(TIMEOUT).status
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return status

    assert train() == "failed"
    assert any(
        re.search(r"Training failed: The training loss became \S+ in epoch \d+", e)
        and "training diverged" in e
        and "Lower the learning rate" in e
        for e in error_texts(at)
    ), error_texts(at)
    assert at.button(key="_train.start").disabled is False

    at.selectbox(key="train.optimizer").set_value("adam")
    at.number_input(key="train.learning_rate").set_value(0.001)
    at.number_input(key="train.clipnorm").set_value(1.0).run()
    assert train() == "finished"
    assert not at.error and "Test set" in [s.value for s in at.subheader]
    at.switch_page("pages/runs.py").run()
    table = at.dataframe[0].value
    assert table["status"].tolist() == ["finished", "failed"]  # newest first


def test_tensorflow_is_kept_out_of_the_garbage_collectors_sight():
    # Streamlit collects garbage after every script run, every second while training shows
    # progress: walking TensorFlow's objects each time starved the training thread.
    from lstm_core.train import engine  # noqa: F401 - importing it is what freezes them

    assert gc.get_freeze_count() > 100_000
