"""fastyaml's shaped stream templates (a group that is the value itself, made from a stream's first line) read the
later lines as PyYAML does, whatever those lines hold where the first had a quoted or a resolver-free plain value."""

from __future__ import annotations

import yaml

from minqing.ledgers.core import fastyaml, yamlio

FIRST = (
    "--- {id: V-5BJ7GT, date: '2025-11-06', note: 入户走访, by: [C-X2VGZ9], at: '2025-11-06T10:00:00+08:00'}"
)
LATER = [
    "--- {id: V-5TVQSV, date: '2025-11-07', note: 走访, by: [C-X0SNAG, C-Z1T13P], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQSW, date: '2025-11-07', note: null, by: [], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQSX, date: '2025-11-07', note: yes, by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQSY, date: '2025-11-07', note: 'it''s', by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQSZ, date: '2025-11-07', note: a  b , by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQT0, date: 2025-11-07, note: '', by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    '--- {id: V-5TVQT1, date: "2025-11-07", note: 12, by: [C-X0SNAG], at: "x"}',
    "--- {id: 'V-5TVQT2', date: '2025-11-07', note: ~, by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQT3, date: '2025-11-07', note: 路灯 损坏, by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQT4, date: '2025-11-07', note: x # y, by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQT5, date: '2025-11-07', note: On, by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00'}",
    "--- {id: V-5TVQT6, date: '2025-11-07', note: 入户走访, by: [C-X0SNAG], at: '2025-11-07T10:00:00+08:00', x: 1}",
]


def _pyyaml(text: str) -> list[object]:
    return [doc for doc in yaml.load_all(text, Loader=yamlio.FastLoader) if doc is not None]  # noqa: S506


def test_each_later_line_reads_as_pyyaml_reads_it() -> None:
    for later in LATER:
        text = (
            "\n".join([FIRST, FIRST.replace("V-5BJ7GT", "V-5BJ7GU"), later, FIRST.replace("V-5", "V-6")])
            + "\n"
        )
        fast = fastyaml.load_stream(text)
        try:
            want = _pyyaml(text)
        except yaml.YAMLError:
            assert fast is fastyaml.MISS, later
            continue
        assert fast is fastyaml.MISS or fast == want, later


def test_all_lines_together() -> None:
    text = "\n".join([FIRST, *LATER]) + "\n"
    fast = fastyaml.load_stream(text)
    assert fast is fastyaml.MISS or fast == _pyyaml(text)
    assert fastyaml.load_stream("\n".join([FIRST, LATER[0], LATER[1]]) + "\n") == _pyyaml(
        "\n".join([FIRST, LATER[0], LATER[1]]) + "\n"
    )
