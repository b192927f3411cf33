"""Logic depth and fanout of a Yosys-mapped Xilinx netlist (write_json of synth_xilinx), analysed flat.

    python rtl/syn/paths.py build/synth/xcup-FOLD2/netlist.json [--md docs/timing.md] [--json out.json]

The hierarchical netlist (one copy per distinct module parameterisation) is flattened here: every instance
is expanded, nets joined through module ports, so paths and nets that cross module boundaries are seen
whole, and instance counts are real.

Logic depth: every path from a flip-flop, RAM, DSP or SRL output (or a top-level input) through LUTs,
MUXF7/8 and carry cells to a flip-flop, RAM, DSP or SRL input (or a top-level output). Two counts per
path end, each the maximum over all paths into it: LUT/MUXF levels, and carry chains entered (a chain
counts once where a path enters it through S/DI, nothing while it runs along CI -> CO). The budget is
4 LUT levels and 1 carry chain; a path end that exceeds either is a violation.

Fanout: for every net, every sink pin it drives (each input pin bit of a primitive: LUT inputs, mux selects,
FF D/CE/R/S, DSP and RAM inputs, output buffers), the clock excepted (a net whose sinks are all clock pins).
The budget is 1,000 sinks.

This is logic depth and load count, not timing: Yosys has no placement or routing delays; Vivado's own
optimisation (LUT combining, retiming off by default, DSP/SRL packing, its own replication by max_fanout
or phys_opt) will differ (docs/resources.md says where).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

COMB = re.compile(r"^(LUT[1-6](_2)?|MUXF[789]|CARRY[48]|INV|BUF)$")
CARRY = re.compile(r"^CARRY[48]$")
LUTLIKE = re.compile(r"^(LUT[1-6](_2)?|MUXF[789])$")
CLOCK_PINS = {"C", "CLK", "CLKARDCLK", "CLKBWRCLK", "WCLK", "CLKA", "CLKB"}
MAX_LUTS, MAX_CHAINS, MAX_FANOUT = 4, 1, 1000


def short(m: str) -> str:
    """A module's base name: `$paramod$<hash>\\qcsr_pipe` and `$paramod\\qcsr_top\\FOLD=...` -> the name."""
    parts = [p for p in m.split("\\") if p and "=" not in p and not p.startswith("$paramod")]
    return parts[-1] if parts else m


class Flat:
    """The flattened netlist: primitive cells with global net ids (union-find over port aliases)."""

    def __init__(self, modules: dict, top: str):
        self.modules = {k: v for k, v in modules.items()
                        if "cells" in v and not v.get("attributes", {}).get("blackbox")}
        self.parent: dict = {}
        self.next_id = 1 + max((b for m in modules.values() for n in m.get("netnames", {}).values()
                                for b in n["bits"] if isinstance(b, int)), default=0)
        self.cells: list[tuple[str, dict, dict, str]] = []   # (type, connections, directions, instance path)
        self.instances: list[tuple[str, str, dict, dict]] = []   # (module, path, port bit map, local bit map)
        self.top_ports: dict[str, tuple[str, list]] = {}
        top_m = self.modules[top]
        top_map = {}
        for b in (b for n in top_m.get("netnames", {}).values() for b in n["bits"] if isinstance(b, int)):
            top_map[b] = b
        self._expand(top, top_map, "")
        for pname, p in top_m.get("ports", {}).items():
            self.top_ports[pname] = (p["direction"], [self.find(top_map.get(b, b)) if isinstance(b, int) else b
                                                      for b in p["bits"]])
        self.cells = [(t, {p: [self.find(b) if isinstance(b, int) else b for b in bits] for p, bits in conn.items()},
                       d, path) for t, conn, d, path in self.cells]

    def find(self, b):
        while self.parent.get(b, b) != b:
            self.parent[b] = self.parent.get(self.parent[b], self.parent[b])
            b = self.parent[b]
        return b

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if isinstance(ra, str):        # a constant stays the representative
            ra, rb = rb, ra
        self.parent[ra] = rb

    def _expand(self, mname: str, bitmap: dict, path: str) -> None:
        m = self.modules[mname]
        local: dict[int, object] = {}
        self.instances.append((mname, path, bitmap, local))

        def g(b):
            if not isinstance(b, int):
                return b
            if b in bitmap:
                return bitmap[b]
            if b not in local:
                local[b] = self.next_id
                self.next_id += 1
            return local[b]

        for n in m.get("netnames", {}).values():   # every named net gets its id (names, later)
            for b in n["bits"]:
                g(b)
        for cname, c in m["cells"].items():
            t = c["type"]
            if t in self.modules:
                sub = self.modules[t]
                submap: dict[int, object] = {}
                for pname, p in sub.get("ports", {}).items():
                    conn = c["connections"].get(pname, [])
                    for i, sb in enumerate(p["bits"]):
                        if i >= len(conn):
                            continue
                        outer = g(conn[i])
                        if not isinstance(sb, int):      # the submodule ties this port bit to a constant
                            if isinstance(outer, int):
                                self.union(outer, sb)
                            continue
                        if sb in submap and submap[sb] != outer:
                            self.union(submap[sb], outer)   # a port bit that is another port's bit
                        else:
                            submap[sb] = outer
                self._expand(t, submap, f"{path}/{cname}")
            else:
                conn = {p: [g(b) for b in bits] for p, bits in c["connections"].items()}
                self.cells.append((t, conn, c.get("port_directions", {}), f"{path}/{cname}"))

    def net_names(self, wanted: set) -> dict:
        """Hierarchical names of the nets in `wanted` (from the instances recorded by _expand)."""
        names: dict = {}
        for mname, path, bitmap, local in self.instances:
            for nname, n in self.modules[mname].get("netnames", {}).items():
                for i, b in enumerate(n["bits"]):
                    if not isinstance(b, int):
                        continue
                    gb = bitmap.get(b, local.get(b))
                    if not isinstance(gb, int):
                        continue
                    root = self.find(gb)
                    if root in wanted and (root not in names or names[root].split("/")[-1].startswith("$")):
                        label = f"{nname}[{i}]" if len(n["bits"]) > 1 else nname
                        names[root] = f"{path}/{label}".lstrip("/")
        return names


def instance_module(path: str) -> str:
    """The instance path of a cell's module (its path without the cell name)."""
    return path.rsplit("/", 1)[0] or "/"


def analyse(netlist: Path) -> dict:
    data = json.loads(netlist.read_text())
    modules = data["modules"]
    top = next(k for k, v in modules.items() if v.get("attributes", {}).get("top"))
    flat = Flat(modules, top)
    cells = flat.cells
    inst_type: dict[str, str] = {}

    def record_types(mname: str, path: str) -> None:
        inst_type[path or "/"] = short(mname)
        for cname, c in flat.modules[mname]["cells"].items():
            if c["type"] in flat.modules:
                record_types(c["type"], f"{path}/{cname}")

    record_types(top, "")

    driver: dict = {}
    sinks: dict = defaultdict(int)
    clock_sinks: dict = defaultdict(int)
    for i, (_t, conn, dirs, _path) in enumerate(cells):
        for port, bits in conn.items():
            for b in bits:
                if not isinstance(b, int):
                    continue
                if dirs.get(port) == "output":
                    driver[b] = (i, port)
                else:
                    sinks[b] += 1
                    if port in CLOCK_PINS:
                        clock_sinks[b] += 1

    # ---------------------------------------------------------------- fanout (every sink pin)
    fan = sorted(((n, b) for b, n in sinks.items() if clock_sinks.get(b, 0) < n), reverse=True)
    clocks = sorted(((n, b) for b, n in sinks.items() if clock_sinks.get(b, 0) == n), reverse=True)
    top_nets = fan[:20]

    # ---------------------------------------------------------------- logic depth (topological, iterative)
    comb = [i for i, c in enumerate(cells) if COMB.match(c[0])]
    is_comb = set(comb)
    arr_l: dict = {}       # net -> (max LUT levels, origin cell, predecessor net)
    arr_c: dict = {}       # net -> (max carry chains, origin cell, predecessor net)
    pending = {}
    waiting = defaultdict(list)
    ready = []
    for i in comb:
        t, conn, dirs, _ = cells[i]
        n = 0
        for port, bits in conn.items():
            if dirs.get(port) == "output":
                continue
            for b in bits:
                if isinstance(b, int) and b in driver and driver[b][0] in is_comb:
                    n += 1
                    waiting[b].append(i)
        pending[i] = n
        if n == 0:
            ready.append(i)

    def start_of(b):
        d = driver.get(b)
        return d[0] if d else -1

    while ready:
        i = ready.pop()
        t, conn, dirs, _ = cells[i]
        carry = bool(CARRY.match(t))
        lut = bool(LUTLIKE.match(t))
        best_l = (-1, -1, None)
        best_c = (-1, -1, None)
        for port, bits in conn.items():
            if dirs.get(port) == "output":
                continue
            for b in bits:
                if not isinstance(b, int):
                    continue
                if b in arr_l:
                    l0, lo, _ = arr_l[b]
                    c0, co, _ = arr_c[b]
                else:
                    l0, lo, c0, co = 0, start_of(b), 0, start_of(b)
                dl = 1 if lut else 0
                dc = 1 if carry and port not in ("CI", "CIN", "CI_TOP") else 0
                if l0 + dl > best_l[0]:
                    best_l = (l0 + dl, lo, b)
                if c0 + dc > best_c[0]:
                    best_c = (c0 + dc, co, b)
        for port, bits in conn.items():
            if dirs.get(port) != "output":
                continue
            for b in bits:
                if isinstance(b, int):
                    arr_l[b] = best_l
                    arr_c[b] = best_c
                    for j in waiting.get(b, ()):
                        pending[j] -= 1
                        if pending[j] == 0:
                            ready.append(j)
    loops = [i for i in comb if pending[i] > 0]

    def trace(arr: dict, b) -> tuple[list[int], object]:
        """The combinational cells of the worst path into net b, and the net the path starts from."""
        out = []
        while b in arr and b in driver and driver[b][0] in is_comb:
            out.append(driver[b][0])
            b = arr[b][2]
        return out[::-1], b

    # path ends: inputs of sequential cells (not clock pins) and top-level outputs
    ends = []
    for i, (_t, conn, dirs, _path) in enumerate(cells):
        if i in is_comb:
            continue
        for port, bits in conn.items():
            if dirs.get(port) == "output" or port in CLOCK_PINS:
                continue
            for b in bits:
                if isinstance(b, int) and b in arr_l:
                    ends.append((b, i, port))
    for pname, (d, bits) in flat.top_ports.items():
        if d == "output":
            for b in bits:
                if isinstance(b, int) and b in arr_l:
                    ends.append((b, -1, pname))

    def describe(b, end_cell: int, end_port: str, arr: dict) -> dict:
        levels, origin, _ = arr[b]
        chain, start_net = trace(arr, b)
        src = cells[origin][3] if origin >= 0 else "top-level input"
        dst = cells[end_cell][3] if end_cell >= 0 else f"top-level output {end_port}"
        # the path's end named by the register it writes (its output net), else by the pin's net
        end_net = b
        if end_cell >= 0:
            outs = [x for port, bits in cells[end_cell][1].items() if cells[end_cell][2].get(port) == "output"
                    for x in bits if isinstance(x, int)]
            end_net = outs[0] if len(outs) == 1 or cells[end_cell][0].startswith("FD") else b
        named.update({start_net, end_net})
        src_inst = instance_module(src) if origin >= 0 else "/"
        dst_inst = instance_module(dst) if end_cell >= 0 else "/"
        mods = {instance_module(cells[k][3]) for k in chain} | {src_inst, dst_inst}
        return {
            "luts": sum(1 for k in chain if LUTLIKE.match(cells[k][0])),
            "chains": arr_c[b][0] if arr is arr_l else levels,
            "levels": levels,
            "cells": [cells[k][0] for k in chain],
            "from": start_net,     # net ids, named below
            "to": end_net,
            "to_pin": f"{cells[end_cell][0]}.{end_port}" if end_cell >= 0 else f"output {end_port}",
            "from_module": inst_type.get(src_inst, "?"),
            "to_module": inst_type.get(dst_inst, "?"),
            "cross_module": len(mods) > 1,
        }

    named: set = set()
    worst_l = sorted(ends, key=lambda e: -arr_l[e[0]][0])
    worst_c = sorted(ends, key=lambda e: -arr_c[e[0]][0])
    viol_l = [e for e in ends if arr_l[e[0]][0] > MAX_LUTS]
    viol_c = [e for e in ends if arr_c[e[0]][0] > MAX_CHAINS]

    # worst path per end module (the module type of the path's end), by LUT levels then chains
    per_module: dict[str, dict] = {}
    for e in ends:
        b, ci, port = e
        key = inst_type.get(instance_module(cells[ci][3]), "?") if ci >= 0 else "(top-level outputs)"
        score = (arr_l[b][0], arr_c[b][0])
        if key not in per_module or score > per_module[key]["score"]:
            per_module[key] = {"score": score, "end": e}
    modules_rows = []
    for key, v in sorted(per_module.items(), key=lambda kv: (-kv[1]["score"][0], -kv[1]["score"][1])):
        b, ci, port = v["end"]
        d = describe(b, ci, port, arr_l)
        modules_rows.append({"module": key, "luts": arr_l[b][0], "chains": arr_c[b][0], **{
            k: d[k] for k in ("cells", "from", "to", "to_pin", "cross_module", "from_module")}})

    def uniq(rows: list, key, n: int) -> list:
        seen, out = set(), []
        for r in rows:
            k = key(r)
            if k in seen:
                continue
            seen.add(k)
            out.append(r)
            if len(out) == n:
                break
        return out

    worst_lut_paths = uniq([describe(b, ci, p, arr_l) for b, ci, p in worst_l[:400]],
                           lambda r: (r["from_module"], r["to_module"], tuple(r["cells"])), 12)
    worst_chain_paths = uniq([describe(b, ci, p, arr_c) for b, ci, p in worst_c[:400]],
                             lambda r: (r["from_module"], r["to_module"], tuple(r["cells"])), 8)
    names = flat.net_names({b for _, b in top_nets} | {b for _, b in clocks[:2]} | named)
    for rows in (modules_rows, worst_lut_paths, worst_chain_paths):
        for row in rows:
            row["from"] = names.get(row["from"], f"net {row['from']}")
            row["to"] = names.get(row["to"], f"net {row['to']}") + f" ({row.pop('to_pin', '')})"

    def drv(b) -> str:
        d = driver.get(b)
        return f"{cells[d[0]][0]}" if d else "top-level input"

    return {
        "top": short(top),
        "cells": len(cells),
        "ends": len(ends),
        "max_luts": arr_l[worst_l[0][0]][0] if worst_l else 0,
        "max_chains": arr_c[worst_c[0][0]][0] if worst_c else 0,
        "violations_luts": len(viol_l),
        "violations_chains": len(viol_c),
        "comb_loops": len(loops),
        "per_module": modules_rows,
        "worst_lut_paths": worst_lut_paths,
        "worst_chain_paths": worst_chain_paths,
        "fanout": [{"net": names.get(b, f"net {b}"), "sinks": n, "driver": drv(b)} for n, b in top_nets],
        "nets_over_budget": sum(1 for n, _ in fan if n > MAX_FANOUT),
        "clock": [{"net": names.get(b, f"net {b}"), "sinks": n} for n, b in clocks[:2]],
    }


def markdown(r: dict, netlist: Path, title: str) -> str:
    rel = netlist.relative_to(netlist.parents[2]) if len(netlist.parents) > 2 else netlist
    ok_depth = r["violations_luts"] == 0 and r["violations_chains"] == 0
    ok_fan = r["nets_over_budget"] == 0
    lines = [
        "# qcsr RTL core: logic depth and fanout (flattened Yosys netlist)",
        "",
        f"Generated by `make timing-report` (rtl/syn/paths.py) from `{rel}`"
        f"{' (' + title + ')' if title else ''}. The netlist is flattened (every instance expanded, nets joined "
        "through module ports), so paths and nets that cross module boundaries are seen whole. Logic depth: for "
        "every path end (flip-flop, RAM, DSP or SRL input, top-level output), the most LUT/MUXF levels and the "
        "most carry chains entered on any path into it from a register or a top-level input (a chain counts "
        "once however long). Fanout: every sink pin a net drives (LUT inputs, mux selects, FF D/CE/R/S, DSP and "
        "RAM inputs), the clock excepted. This is logic depth and load count, not timing: Yosys has no "
        "placement or routing delays, and Vivado's own optimisation and replication will differ.",
        "",
        "## Summary",
        "",
        "| check | budget | measured | |",
        "|---|---|---|---|",
        f"| LUT/MUXF levels on any path | <= {MAX_LUTS} | {r['max_luts']} "
        f"({r['violations_luts']:,} path ends above) | {'met' if r['violations_luts'] == 0 else '**not met**'} |",
        f"| carry chains on any path | <= {MAX_CHAINS} | {r['max_chains']} "
        f"({r['violations_chains']:,} path ends above) | {'met' if r['violations_chains'] == 0 else '**not met**'} |",
        f"| sinks of any net but the clock | <= {MAX_FANOUT:,} | {r['fanout'][0]['sinks']:,} "
        f"({r['nets_over_budget']} nets above) | {'met' if ok_fan else '**not met**'} |",
        "",
        f"{r['cells']:,} primitive cells, {r['ends']:,} path ends, {r['comb_loops']} combinational loops. "
        f"Clock: `{r['clock'][0]['net'] if r['clock'] else '-'}`, "
        f"{r['clock'][0]['sinks'] if r['clock'] else 0:,} clock pins. "
        + ("Every check met." if ok_depth and ok_fan else "Not every check is met: see below."),
        "",
        "## Worst path into each module",
        "",
        "The deepest path ending in each module type (LUT levels, then carry chains); `cross` marks a path that "
        "starts or runs in another instance.",
        "",
        "| ends in | LUT/MUXF levels | carry chains | cross | cells on the path | from | to |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in r["per_module"]:
        if row["luts"] == 0 and row["chains"] == 0:
            continue
        lines.append(f"| {row['module']} | {row['luts']} | {row['chains']} | {'yes' if row['cross_module'] else ''} "
                     f"| {' '.join(row['cells'])} | `{row['from']}` | `{row['to']}` |")
    lines += ["", "## Deepest paths (LUT levels)", "", "| LUT/MUXF | chains on it | from | to | cells |",
              "|---|---|---|---|---|"]
    for p in r["worst_lut_paths"]:
        lines.append(f"| {p['levels']} | {sum(1 for c in p['cells'] if c.startswith('CARRY'))} | `{p['from']}` "
                     f"| `{p['to']}` | {' '.join(p['cells'])} |")
    lines += ["", "## Paths through the most carry chains", "", "| chains | LUT/MUXF on it | from | to | cells |",
              "|---|---|---|---|---|"]
    for p in r["worst_chain_paths"]:
        lines.append(f"| {p['levels']} | {sum(1 for c in p['cells'] if not c.startswith('CARRY'))} | `{p['from']}` "
                     f"| `{p['to']}` | {' '.join(p['cells'])} |")
    lines += ["", "## Largest fanout (every sink pin, clock excepted)", "", "| net | driver | sinks |",
              "|---|---|---|"]
    for f in r["fanout"][:15]:
        lines.append(f"| `{f['net']}` | {f['driver']} | {f['sinks']:,} |")
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
    print(f"{r['cells']} cells, {r['ends']} path ends; max {r['max_luts']} LUT levels "
          f"({r['violations_luts']} ends above {MAX_LUTS}), max {r['max_chains']} carry chains "
          f"({r['violations_chains']} above {MAX_CHAINS}); {r['nets_over_budget']} nets above {MAX_FANOUT} sinks")
    for row in r["per_module"]:
        print(f"  {row['module'][:30]:30s} {row['luts']} LUT + {row['chains']} carry "
              f"{'cross ' if row['cross_module'] else ''}[{' '.join(row['cells'])}] from {row['from_module']}")
    print("largest fanout:")
    for f in r["fanout"][:12]:
        print(f"  {f['net'][:80]:80s} {f['driver']:10s} {f['sinks']:6d}")
    if a.json:
        a.json.write_text(json.dumps(r, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
