"""The Model page's Markdown tables: layout, and user text shown as the characters it is."""

from app_session import plain

from ui.layer_tables import describe_records, gpu_records, markdown_table


def test_markdown_table_has_a_header_a_rule_and_a_row_per_record():
    table = markdown_table([{"layer": "a", "shape": "(batch, 3)"}, {"layer": "b", "shape": ""}])
    assert table.splitlines() == [
        "| layer | shape |",
        "|---|---|",
        "| a | `(batch,\u00a03)` |",
        "| b |  |",
    ]
    assert markdown_table([]) == ""


def test_markdown_table_escapes_pipes_markup_and_line_breaks():
    hostile = "x | <script>alert(1)</script>\n[y](javascript:alert(1))"
    (_, _, row) = markdown_table([{"note": hostile}]).splitlines()
    assert "\n" not in row and row.count("|") - row.count("\\|") == 2  # only the two borders
    assert plain(row[2:-2]) == "x | <script>alert(1)</script> [y](javascript:alert(1))"


def test_describe_records_name_each_layer_once_and_every_returned_tensor():
    rows = [
        {
            "name": "layer_1",
            "keras_class": "LSTM",
            "units": 8,
            "params": 1312,
            "input_shape": (None, 12, 1),
            "returns": [
                {"name": "output", "keras_name": "output", "shape": (None, 8), "note": "h_T"},
                {"name": "h", "keras_name": "final_memory_state", "shape": (None, 8), "note": ""},
            ],
            "cudnn": {"eligible": False, "reason": "unroll=True"},
            "pytorch": "nn.LSTM(1, 8)",
        }
    ]
    records = describe_records(rows)
    assert [r["layer"] for r in records] == ["layer_1 (LSTM, 8 units)", ""]
    assert [r["returns"] for r in records] == ["[0] output", "[1] h"]
    assert [r["params"] for r in records] == ["1,312", ""]
    assert records[0]["shape"] == "(batch, 8)" and records[0]["input"] == "(batch, 12, 1)"
    assert gpu_records(rows) == [
        {
            "layer": "layer_1",
            "cuDNN on a GPU": "no",
            "why": "unroll=True",
            "PyTorch equivalent": "nn.LSTM(1, 8)",
        }
    ]


def test_shapes_are_code_unless_they_could_break_out_of_the_span():
    table = markdown_table([{"shape": "(batch, 3)", "input": "a`b", "output": "x|y", "n": "(1)"}])
    row = table.splitlines()[2]
    assert row == "| `(batch,\u00a03)` | a\\`b | x\\|y | \\(1\\) |"
