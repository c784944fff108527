"""AppTests of the Ablation lab page: its settings, a refused setting's message, a tiny ablation
run to its ranked table and charts, and the shipped reference shown at once."""

import pytest
from app_session import charts, errors, new_app, open_page, plain

from lstm_core.experiments.ablation import load_reference

TINY = {"seeds": 1, "timesteps": 6, "units": 3, "epochs": 1, "n_train": 32, "batch_size": 16}


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    """Each test's runs go to its own store folder."""
    monkeypatch.setenv("LSTM_LAB_STORE", str(tmp_path / "store"))


def tiny_page(variants=("lstm", "nfg")):
    at = open_page(new_app(), "ablation")
    for key, value in TINY.items():
        at.number_input(key=f"ablation.{key}").set_value(value)
    at.multiselect(key="ablation.variants").set_value(list(variants))
    return at.run()


def test_the_page_offers_every_variant_by_its_abbreviation():
    at = open_page(new_app(), "ablation")
    assert not errors(at)
    picker = at.multiselect(key="ablation.variants")
    assert picker.value == ["lstm", "nig", "nfg", "nog", "niaf", "noaf", "cifg", "ph"]
    assert "CIFG" in picker.options and "LSTM" in picker.options
    reference = load_reference()
    titles = [plain(header.value) for header in at.subheader]
    assert ("The reference ablation" in titles) == (reference is not None)


def test_no_variant_chosen_is_refused_with_the_fix():
    at = tiny_page(variants=())
    at.button(key="_ablation.start").click().run()
    (message,) = errors(at)
    assert "AblationConfig variants must be a non-empty tuple" in message
    assert "e.g. ('lstm', 'nfg', 'cifg')" in message


@pytest.mark.slow
def test_a_tiny_ablation_ends_in_a_ranked_table_and_two_charts():
    at = tiny_page()
    at.button(key="_ablation.start").click().run()
    job = at.session_state["app.jobs"].get("ablation")
    assert job.wait(300).status == "finished", job.snapshot().error
    at.run()
    assert not errors(at)
    table = at.dataframe[0].value
    assert sorted(table["cell"]) == ["LSTM", "NFG"]
    assert list(table["rank"]) == [1, 2]
    assert list(table["median val loss"]) == sorted(table["median val loss"])
    assert table["remember-nothing loss"].tolist() == pytest.approx([1 / 6, 1 / 6])
    finals, curves = charts(at)[:2]
    assert finals["layer"][0]["encoding"]["y"]["sort"] == list(table["cell"])


def test_a_shared_link_with_variants_opens_the_model_page_with_what_each_removes():
    at = open_page(new_app(sample="sine", lookback="10", layers="cifg:8:seq,nfg:4"), "model")
    assert not errors(at)
    notes = [plain(caption.value) for caption in at.caption]
    assert any(note.startswith("layer_1 is the cifg variant") and "i = 1 - f" in note
               for note in notes), notes  # fmt: skip
    assert any("layer_2 is the nfg variant" in note and "forget gate" in note for note in notes)
    tables = "\n".join(plain(markdown.value) for markdown in at.markdown)
    assert "layer_1 (CIFG, 8 units)" in tables
    assert "PyTorch has no built-in equivalent of the cifg cell" in tables


YOUR_DATA = "Your data (the Data page's windows)"


def test_your_data_is_offered_once_the_data_page_made_windows():
    at = open_page(new_app(), "ablation")
    assert YOUR_DATA not in at.selectbox(key="ablation.task").options
    notes = [plain(caption.value) for caption in at.caption]
    assert any("pick a sample or upload a CSV on the Data page" in note for note in notes)
    open_page(at, "data")
    open_page(at, "ablation")
    assert YOUR_DATA in at.selectbox(key="ablation.task").options


@pytest.mark.slow
def test_a_tiny_ablation_on_the_data_pages_windows_scores_beside_naive():
    at = open_page(new_app(), "data")
    windows = at.session_state["data.windows"]
    open_page(at, "ablation")
    at.selectbox(key="ablation.task").set_value("windows").run()
    assert at.number_input(key="ablation.timesteps").disabled
    for key, value in {"seeds": 2, "units": 3, "epochs": 1, "batch_size": 16}.items():
        at.number_input(key=f"ablation.{key}").set_value(value)
    at.multiselect(key="ablation.variants").set_value(["lstm", "nfg"]).run()
    at.button(key="_ablation.start").click().run()
    assert not errors(at), errors(at)
    job = at.session_state["app.jobs"].get("ablation")
    assert job.wait(300).status == "finished", job.snapshot().error
    assert job.windows is windows and job.config.data["window"]["kind"] == "series"
    at.run()
    assert not errors(at)
    table = at.dataframe[0].value
    target = windows.target_names[0]
    assert sorted(table["cell"]) == ["LSTM", "NFG"] and list(table["seeds"]) == [2, 2]
    assert "solved (|error| < 0.04)" not in table and "remember-nothing loss" not in table
    naive = table[f"naive RMSE of {target}"]
    assert naive.nunique() == 1 and naive.iloc[0] > 0  # one yardstick: the same windows
    for score, skill in zip(table[f"test RMSE of {target}"], table["skill"], strict=True):
        assert skill.endswith("repeating the last value"), skill
        if not skill.startswith("as good"):  # a skill that rounds to 0 % has no side
            assert ("better" in skill) == (score < naive.iloc[0])
    notes = " ".join(plain(caption.value) for caption in at.caption)
    assert "Share solved does not apply" in notes
    assert "Gradient reach does not apply" not in notes  # a series is not padded
    assert all(reach != "-" for reach in table["gradient reach after"])


RUN_ON = "ablation.run_on"


def test_ray_is_offered_where_sweeps_are_on_and_not_for_your_data(monkeypatch):
    monkeypatch.delenv("LSTM_LAB_SWEEPS", raising=False)
    monkeypatch.delenv("LSTM_LAB_HOSTED", raising=False)
    at = open_page(new_app(), "ablation")
    choice = at.radio(key=RUN_ON)
    assert choice.value == "process"
    assert choice.options == ["this process", "Ray (parallel)"]
    open_page(at, "data")
    open_page(at, "ablation")
    at.selectbox(key="ablation.task").set_value("windows").run()
    assert not [radio for radio in at.radio if radio.key == RUN_ON]
    monkeypatch.setenv("LSTM_LAB_HOSTED", "1")  # hosted: off unless the host turns sweeps on
    at = open_page(new_app(), "ablation")
    assert not [radio for radio in at.radio if radio.key == RUN_ON]
    monkeypatch.setenv("LSTM_LAB_SWEEPS", "1")
    at = open_page(new_app(), "ablation")
    assert at.radio(key=RUN_ON).value == "process"


@pytest.mark.slow
def test_a_tiny_ablation_on_ray_ends_in_the_ranked_table_with_its_sweep(monkeypatch, ray_node):
    monkeypatch.delenv("LSTM_LAB_HOSTED", raising=False)
    at = tiny_page()
    at.number_input(key="ablation.seeds").set_value(2)
    at.radio(key=RUN_ON).set_value("ray").run()
    at.button(key="_ablation.start").click().run()
    assert not errors(at), errors(at)
    job = at.session_state["app.jobs"].get("ablation")
    final = job.wait(600)
    assert final.status == "finished", final.error
    at.run()
    assert not errors(at)
    table = at.dataframe[0].value
    assert sorted(table["cell"]) == ["LSTM", "NFG"] and list(table["seeds"]) == [2, 2]
    assert list(table["rank"]) == [1, 2]
    notes = [plain(caption.value) for caption in at.caption]
    assert (
        f"Ran on Ray as sweep {final.sweep_id}: each cell and seed is a run of it on the "
        "Runs page." in notes
    )
    from lstm_core.runs import RunStore

    runs = RunStore.default().sweep_trials(final.sweep_id)
    assert sorted(runs) == ["kind=lstm,seed=0", "kind=lstm,seed=1", "kind=nfg,seed=0",
                            "kind=nfg,seed=1"]  # fmt: skip
