"""Logic depth and control fanout of a Yosys-mapped Xilinx netlist (write_json of synth_xilinx, hierarchy kept).

    python rtl_tb/synth/paths.py build/synth/xc7-FOLD2/netlist.json [--json out.json]

Per module, the worst register-to-register stage in logic levels: every path from a flip-flop, RAM, DSP or
SRL output (or a module input port) through LUTs, MUXF7/8 and carry cells to a flip-flop, RAM, DSP or SRL
input (or a module output port). A carry chain counts once where the path enters it (S/DI -> CO/O) and
costs nothing while the path runs along it (CI -> CO); the worst path is the one with the most LUT/MUXF
levels plus 2 per carry chain entered (a crude delay weight: a chain entry and its ripple cost about two
LUT levels on UltraScale+). Ports make the count module-local: a path that crosses a module boundary is
counted in each module up to the port, which under-counts only where a port is driven combinationally.

Control fanout: for every net, the clock-enable and set/reset pins it drives in the whole (flattened)
design, following module ports down the hierarchy and multiplying by instance counts: FF CE/R/S/CLR/PRE,
SRL CE, DSP CE*/RST*, block RAM EN*/RST*/WE*. Yosys only counts; Vivado's own replication
(max_fanout, phys_opt) and its DSP/RAM packing differ (docs/resources.md says where).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path

COMB = re.compile(r"^(LUT[1-6](_2)?|MUXF[789]|CARRY[48]|INV|BUF)$")
CARRY = re.compile(r"^CARRY[48]$")
SEQ = re.compile(r"^(FD[A-Z]*|SRL.*|RAM.*|DSP48E[12]|URAM288.*)$")
CTRL_PINS = {
    "FD": {"CE", "R", "S", "CLR", "PRE"},
    "SRL": {"CE"},
    "DSP": {"CEA1", "CEA2", "CEB1", "CEB2", "CEC", "CED", "CEM", "CEP", "CEAD", "CEALUMODE", "CECTRL",
            "CECARRYIN", "CEINMODE", "RSTA", "RSTB", "RSTC", "RSTD", "RSTM", "RSTP", "RSTCTRL",
            "RSTALLCARRYIN", "RSTALUMODE", "RSTINMODE"},
    "RAMB": {"ENARDEN", "ENBWREN", "RSTRAMARSTRAM", "RSTRAMB", "RSTREGARSTREG", "RSTREGB", "WEA", "WEBWE",
             "ENA", "ENB", "WE"},
}


def ctrl_pins(cell_type: str) -> set[str]:
    for prefix, pins in CTRL_PINS.items():
        if cell_type.startswith(prefix):
            return pins
    return set()


def short(m: str) -> str:
    """A module's base name: `$paramod$<hash>\\qcsr_pipe` and `$paramod\\qcsr_top\\FOLD=...` -> the name."""
    parts = [p for p in m.split("\\") if p and "=" not in p and not p.startswith("$paramod")]
    return parts[-1] if parts else m


def module_paths(mod: dict) -> dict:
    """Worst combinational stage of one module: (score, luts, chains, start, end)."""
    driver: dict[int, tuple[str, str]] = {}     # bit -> (cell, output port)
    loads: dict[int, list[tuple[str, str]]] = defaultdict(list)
    cells = mod.get("cells", {})
    for name, c in cells.items():
        dirs = c.get("port_directions", {})
        for port, bits in c["connections"].items():
            for b in bits:
                if not isinstance(b, int):
                    continue
                if dirs.get(port) == "output":
                    driver[b] = (name, port)
                else:
                    loads[b].append((name, port))
    comb = {n for n, c in cells.items() if COMB.match(c["type"])}

    @cache
    def arrive(bit: int) -> tuple:
        """Worst (score, luts, chains, origin, cells on the path) of the logic in front of net bit `bit`."""
        d = driver.get(bit)
        if d is None or d[0] not in comb:
            return (0.0, 0, 0, short(d[0]) if d else "input port", ())
        name, out_port = d
        c = cells[name]
        is_carry = bool(CARRY.match(c["type"]))
        best = (0.0, 0, 0, "?", ())
        dirs = c.get("port_directions", {})
        for port, bits in c["connections"].items():
            if dirs.get(port) == "output":
                continue
            for b in bits:
                if not isinstance(b, int):
                    continue
                s, lu, ch, org, path = arrive(b)
                if is_carry:
                    if port == "CI" or port == "CIN":
                        cand = (s + 0.0, lu, ch, org, path)      # along the chain
                    else:
                        cand = (s + 2.0, lu, ch + 1, org, path + (c["type"],))   # entering a chain
                elif c["type"].startswith("MUXF") or c["type"].startswith("LUT"):
                    cand = (s + 1.0, lu + 1, ch, org, path + (c["type"],))
                else:
                    cand = (s, lu, ch, org, path)
                if cand[0] > best[0]:
                    best = cand
        return best

    worst = (0.0, 0, 0, "", (), "")
    sys.setrecursionlimit(1_000_000)
    for bit, ls in loads.items():
        for name, _port in ls:
            if name in comb:
                continue
            s, lu, ch, org, path = arrive(bit)
            if s > worst[0]:
                worst = (s, lu, ch, org, path, short(cells[name]["type"]))
    for pname, p in mod.get("ports", {}).items():
        if p["direction"] == "output":
            for b in p["bits"]:
                if isinstance(b, int):
                    s, lu, ch, org, path = arrive(b)
                    if s > worst[0]:
                        worst = (s, lu, ch, org, path, f"port {pname}")
    return {"score": worst[0], "lut_levels": worst[1], "carry_chains": worst[2], "from": worst[3],
            "cells": list(worst[4]), "to": worst[5]}


def control_fanout(modules: dict, top: str) -> list[dict]:
    """The nets with the most enable/reset loads in the flattened design (top-level view)."""
    mods = {k: v for k, v in modules.items() if not v.get("attributes", {}).get("blackbox")}

    @cache
    def port_loads(mname: str) -> dict[str, list[int]]:
        """For a module: per input port, per bit, the control loads it reaches (flattened)."""
        m = mods[mname]
        per_bit = net_loads(mname)
        out = {}
        for pname, p in m.get("ports", {}).items():
            if p["direction"] == "input":
                out[pname] = [per_bit.get(b, 0) if isinstance(b, int) else 0 for b in p["bits"]]
        return out

    @cache
    def net_loads(mname: str) -> dict[int, int]:
        m = mods[mname]
        count: dict[int, int] = defaultdict(int)
        for c in m.get("cells", {}).values():
            t = c["type"]
            if t in mods:
                sub = port_loads(t)
                for port, bits in c["connections"].items():
                    for i, b in enumerate(bits):
                        if isinstance(b, int) and port in sub and i < len(sub[port]):
                            count[b] += sub[port][i]
            else:
                pins = ctrl_pins(short(t))
                for port, bits in c["connections"].items():
                    if port in pins:
                        for b in bits:
                            if isinstance(b, int):
                                count[b] += 1
        return dict(count)

    # name the nets of every module; report each module's worst net (loads below that module)
    rows = []
    for mname, m in mods.items():
        if "cells" not in m:
            continue
        names = {}
        for nname, n in m.get("netnames", {}).items():
            for i, b in enumerate(n["bits"]):
                if isinstance(b, int) and (b not in names or nname.startswith("$") is False):
                    names[b] = f"{nname}[{i}]" if len(n["bits"]) > 1 else nname
        loads = net_loads(mname)
        if not loads:
            continue
        b, n = max(loads.items(), key=lambda kv: kv[1])
        rows.append({"module": short(mname), "net": names.get(b, f"bit {b}"), "loads": n})
    rows.sort(key=lambda r: -r["loads"])
    return rows


def analyse(netlist: Path) -> dict:
    data = json.loads(netlist.read_text())
    modules = data["modules"]
    top = next(k for k, v in modules.items() if v.get("attributes", {}).get("top"))
    per_module = {}
    for name, m in modules.items():
        if "cells" not in m or m.get("attributes", {}).get("blackbox"):
            continue
        if not any(SEQ.match(c["type"]) or COMB.match(c["type"]) for c in m["cells"].values()):
            continue
        p = module_paths(m)
        key = short(name)
        if key not in per_module or p["score"] > per_module[key]["score"]:
            per_module[key] = p
    return {"top": short(top), "paths": per_module, "fanout": control_fanout(modules, top)}


def markdown(r: dict, netlist: Path, title: str) -> str:
    rows = sorted(r["paths"].items(), key=lambda kv: -kv[1]["score"])
    lines = [
        "# qcsr RTL core: logic depth and control fanout (Yosys netlist)",
        "",
        f"Generated by `make timing-report` (rtl_tb/synth/paths.py) from `{netlist.relative_to(netlist.parents[2])}`"
        f"{' (' + title + ')' if title else ''}. For every module: the worst register-to-register stage, counted in "
        "LUT/MUXF levels and carry chains entered (a carry chain counts once however long it is; the worst is "
        "the one with the most LUT levels + 2 per chain). Module ports end a path, so each module is counted "
        "up to its boundary. This is logic depth, not timing: Yosys has no placement or routing delays; "
        "Vivado's own optimisation (retiming off by default, LUT combining, DSP/SRL packing) will differ.",
        "",
        "| module | LUT/MUXF levels | carry chains | cells on the path | ends in |",
        "|---|---|---|---|---|",
    ]
    for m, p in rows:
        if p["score"] == 0:
            continue
        lines.append(f"| {m} | {p['lut_levels']} | {p['carry_chains']} | {' '.join(p['cells'])} | {p['to']} |")
    lines += ["", "## Largest enable / reset fanout", "",
              "Clock-enable and set/reset pins (FF CE/R/S, SRL CE, DSP CE*/RST*, block RAM EN/RST/WE) driven by one "
              "net, counted through the hierarchy (instances multiplied); the worst net seen from each module:", "",
              "| module | net | loads |", "|---|---|---|"]
    for row in r["fanout"][:15]:
        lines.append(f"| {row['module']} | `{row['net']}` | {row['loads']:,} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("netlist", type=Path)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--md", type=Path, help="write the report as markdown (docs/timing.md)")
    ap.add_argument("--title", default="")
    a = ap.parse_args(argv)
    r = analyse(a.netlist)
    if a.md:
        a.md.write_text(markdown(r, a.netlist, a.title))
    for m, p in sorted(r["paths"].items(), key=lambda kv: -kv[1]["score"]):
        print(f"{m[:40]:40s} {p['lut_levels']:3d} LUT/MUXF + {p['carry_chains']} carry  "
              f"[{' '.join(p['cells'])}] -> {p['to']}")
    print("largest control fanout per module:")
    for row in r["fanout"][:10]:
        print(f"  {row['module'][:60]:60s} {row['net'][:40]:40s} {row['loads']:6d}")
    if a.json:
        a.json.write_text(json.dumps(r, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
