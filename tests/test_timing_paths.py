"""rtl/syn/paths.py (make timing-report) on hand-built netlists: paths and nets across module
boundaries are seen whole after flattening, every sink pin counts, the clock does not."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _paths():
    spec = importlib.util.spec_from_file_location("qcsr_paths", ROOT / "rtl" / "syn" / "paths.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _cell(t: str, conns: dict, dirs: dict) -> dict:
    return {"type": t, "connections": conns, "port_directions": dirs}


def _lut(i: int, o: int) -> dict:
    return _cell("LUT2", {"I0": [i], "I1": [i], "O": [o]}, {"I0": "input", "I1": "input", "O": "output"})


def _ff(d: int, q: int, clk: int, ce: int | str = "1") -> dict:
    return _cell("FDRE", {"C": [clk], "CE": [ce], "D": [d], "Q": [q], "R": ["0"]},
                 {"C": "input", "CE": "input", "D": "input", "Q": "output", "R": "input"})


def _netlist(tmp_path: Path, fanout: int) -> Path:
    # sub: in -> LUT -> LUT -> LUT -> out (3 levels, combinational through the module)
    sub = {"ports": {"i": {"direction": "input", "bits": [2]}, "o": {"direction": "output", "bits": [5]}},
           "cells": {"l0": _lut(2, 3), "l1": _lut(3, 4), "l2": _lut(4, 5)},
           "netnames": {"i": {"bits": [2]}, "o": {"bits": [5]}, "m": {"bits": [3, 4]}}}
    # top: ff_a -> LUT -> LUT -> sub -> ff_b (2 + 3 = 5 levels across the boundary);
    # ff_a's output also drives the CE of `fanout` flip-flops
    cells = {"ff_a": _ff(20, 10, 2), "la": _lut(10, 11), "lb": _lut(11, 12),
             "u_sub": {"type": "sub", "connections": {"i": [12], "o": [13]}, "port_directions": {}},
             "ff_b": _ff(13, 20, 2)}
    for k in range(fanout):
        cells[f"ff_e{k}"] = _ff(10, 100 + k, 2, ce=10)
    top = {"attributes": {"top": 1},
           "ports": {"clk": {"direction": "input", "bits": [2]}},
           "cells": cells,
           "netnames": {"clk": {"bits": [2]}, "a_q": {"bits": [10]}, "x": {"bits": [11, 12, 13]},
                        "b_q": {"bits": [20]}}}
    p = tmp_path / "netlist.json"
    p.write_text(json.dumps({"modules": {"top": top, "sub": sub}}))
    return p


def test_cross_module_path_and_every_sink(tmp_path):
    paths = _paths()
    r = paths.analyse(_netlist(tmp_path, fanout=1200))
    assert r["max_luts"] == 5, r["max_luts"]               # 2 in top + 3 in sub: one path, seen whole
    assert r["violations_luts"] >= 1
    worst = r["worst_lut_paths"][0]
    assert worst["cross_module"] and worst["cells"] == ["LUT2"] * 5, worst
    top_net = r["fanout"][0]
    # a_q: la's two input pins + 1200 D pins + 1200 CE pins (every sink pin counts)
    assert top_net["net"] == "a_q" and top_net["sinks"] == 2 + 2 * 1200, top_net
    assert r["nets_over_budget"] == 1
    assert r["clock"][0]["net"] == "clk" and r["clock"][0]["sinks"] == 1200 + 2   # never in the fanout table
    assert all(f["net"] != "clk" for f in r["fanout"])


def test_within_budget(tmp_path):
    paths = _paths()
    p = _netlist(tmp_path, fanout=10)
    data = json.loads(p.read_text())
    data["modules"]["sub"]["cells"] = {"l0": _lut(2, 5)}   # 2 + 1 = 3 levels
    p.write_text(json.dumps(data))
    r = paths.analyse(p)
    assert r["max_luts"] == 3 and r["violations_luts"] == 0 and r["nets_over_budget"] == 0, r
    md = paths.markdown(r, p, "test")
    assert "| LUT/MUXF levels on any path | <= 4 | 3" in md and "**not met**" not in md
