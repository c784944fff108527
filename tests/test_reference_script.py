"""scripts/reference_comparison.py writes the adding problem's 0.04 criterion beside the MSE."""

import importlib.util
import time
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "reference_comparison.py"


def load_script():
    spec = importlib.util.spec_from_file_location("reference_comparison", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_table_carries_the_solved_share_of_each_cell():
    script = load_script()
    row = {
        "seed": 0,
        "rnn": 0.1635,
        "lstm": 0.0016,
        "rnn_solved": 0.081,
        "lstm_solved": 0.974,
        "rnn_s": 23.8,
        "lstm_s": 57.5,
        "learned_at": 15,
        "rnn_reach": (1.3e-05, 8.0e-08),
        "lstm_reach": (5.6e-10, 6.2e-02),
        "met": True,
    }
    page = script.table([row], time.time())
    header = next(line for line in page.splitlines() if line.startswith("| seed"))
    assert "| SimpleRNN solved | LSTM solved |" in header
    assert "| 0 | 0.1635 | 0.0016 | 8.1% | 97.4% | 15 |" in page
    assert "|error| < 0.04" in page and "solves 7.8%" in page


ABLATION = Path(__file__).resolve().parents[1] / "scripts" / "reference_ablation.py"


def test_the_ablation_table_ranks_every_cell_and_keeps_the_words_around_it(tmp_path, monkeypatch):
    from lstm_core.experiments.ablation import load_reference

    spec = importlib.util.spec_from_file_location("reference_ablation", ABLATION)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    text = script.table(load_reference(), "python scripts/reference_ablation.py")
    rows = [line for line in text.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert [row.split(" | ")[1] for row in rows][:2] == ["cifg", "lstm"] and len(rows) == 8
    doc = tmp_path / "doc.md"
    doc.write_text(f"# words before\n{script.START}\nold\n{script.END}\nwords after\n")
    monkeypatch.setattr(script, "DOC", doc)
    script.write_doc("new table")
    assert (
        doc.read_text() == f"# words before\n{script.START}\nnew table\n{script.END}\nwords after\n"
    )


def test_readme_shows_the_written_table_with_its_solved_columns():
    """The README's reference table is the one the script last wrote, 0.04 criterion included."""
    repo = SCRIPT.parents[1]

    def table(path: Path) -> list[str]:
        lines = path.read_text().splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("| seed | SimpleRNN"))
        return [line for line in lines[start:] if line.startswith("|")][: 2 + 5]

    written = table(repo / "docs" / "reference-comparison.md")
    assert "SimpleRNN solved" in written[0] and "LSTM solved" in written[0]
    assert table(repo / "README.md") == written
