"""Configuration-packet fuzzing: random and mutated packets (Hypothesis, fixed seed) judged by the golden parser
(qcsr.golden.packet_rules) and by a core's loader, which must agree on every verdict (`make fuzz`).

The packets start from a good packet of the shipped model and break it the ways a DMA, a driver or a corrupted
file would: a header or trailer field set to a value at, just inside or just outside its rule's range, a
layer shift or weight likewise, a word replaced by an arbitrary 32-bit value, a bit flipped, the packet cut
short or extended, a whole random packet; about a third stay good (the cores must accept them too).
"""

from __future__ import annotations

import struct
import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from qcsr.golden.packet_rules import (
    HEADER_FIELDS,
    OUT_SHIFT,
    RES_LSHIFT,
    SHIFT,
    YN_LSHIFT,
    Core,
    first_violation,
    weight_rule,
)


def _field_values(lo: int, hi: int):
    """Boundary values of a range and arbitrary 32-bit ones."""
    from hypothesis import strategies as st

    edges = sorted({lo - 2, lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, hi + 2, 0, -1, 1 << 31, (1 << 32) - 1})
    return st.one_of(st.sampled_from(edges), st.integers(-(1 << 31), (1 << 32) - 1))


def packet_strategy(good: Sequence[int], core: Core):
    """A Hypothesis strategy of packets (lists of 32-bit words, as Python ints) around `good`."""
    from hypothesis import strategies as st

    n = len(good)
    trailer = n - 3
    starts, pos = [], len(HEADER_FIELDS)
    for size in core.layer_sizes:
        starts.append(pos)
        pos += 1 + size
    wr = weight_rule(core.weight_bits)
    header_ranges = {2: (2, core.max_w), 3: (2, core.max_h), 10: (core.weight_bits, core.weight_bits),
                     11: (core.act_bits, core.act_bits)}
    for i, name in enumerate(HEADER_FIELDS[4:10], start=4):
        header_ranges[i] = (core.arch[name], core.arch[name])

    @st.composite
    def packets(draw):
        w = list(good)
        kind = draw(st.sampled_from(["good", "good", "header", "shift", "weight", "trailer", "word", "bitflip",
                                     "truncate", "extend", "random", "good_sizes"]))
        if kind == "header":
            i = draw(st.integers(0, len(HEADER_FIELDS) - 1))
            lo, hi = header_ranges.get(i, (w[i], w[i]))
            w[i] = draw(_field_values(lo, hi)) & 0xFFFFFFFF
        elif kind == "good_sizes":                     # other sizes inside the limits: still good
            w[2] = draw(st.integers(2, core.max_w))
            w[3] = draw(st.integers(2, core.max_h))
        elif kind == "shift":
            i = draw(st.sampled_from(starts))
            w[i] = draw(_field_values(SHIFT.lo, SHIFT.hi)) & 0xFFFFFFFF
        elif kind == "weight":
            layer = draw(st.integers(0, len(starts) - 1))
            i = starts[layer] + 1 + draw(st.integers(0, core.layer_sizes[layer] - 1))
            w[i] = draw(_field_values(wr.lo, wr.hi)) & 0xFFFFFFFF
        elif kind == "trailer":
            k = draw(st.integers(0, 2))
            rule = (YN_LSHIFT, RES_LSHIFT, OUT_SHIFT)[k]
            w[trailer + k] = draw(_field_values(rule.lo, rule.hi)) & 0xFFFFFFFF
        elif kind == "word":
            i = draw(st.integers(0, n - 1))
            w[i] = draw(st.integers(0, (1 << 32) - 1))
        elif kind == "bitflip":
            for _ in range(draw(st.integers(1, 3))):
                i = draw(st.integers(0, n - 1))
                w[i] ^= 1 << draw(st.integers(0, 31))
        elif kind == "truncate":
            w = w[: draw(st.integers(1, n - 1))]
        elif kind == "extend":
            w = w + draw(st.lists(st.integers(0, (1 << 32) - 1), min_size=1, max_size=4))
        elif kind == "random":
            w = draw(st.lists(st.integers(0, (1 << 32) - 1), min_size=1, max_size=40))
            if draw(st.booleans()) and len(w) > 1:
                w[0] = good[0]                       # a random body behind a good magic
        return w

    return packets()


def examples(strategy, count: int, seed: int = 0) -> list:
    """`count` examples of a Hypothesis strategy, reproducible for a seed (Hypothesis drives, this collects)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    out: list = []

    @hseed(seed)
    @settings(max_examples=count, database=None, deadline=None, derandomize=False,
              suppress_health_check=list(HealthCheck), phases=("generate",))
    @given(strategy)
    def collect(x):
        out.append(x)

    collect()
    return out[:count]


def generate(good: Sequence[int], core: Core, count: int, seed: int = 0) -> list[list[int]]:
    """`count` packets from the strategy, reproducible for a seed."""
    return examples(packet_strategy(good, core), count, seed)


def write_batch(packets: Sequence[Sequence[int]], path: Path) -> None:
    """[u32 n][n u32 words] per packet (hls/tb/qcsr_packet_verdicts.cpp's input)."""
    with open(path, "wb") as f:
        for p in packets:
            f.write(struct.pack("<I", len(p)))
            f.write(np.asarray(p, dtype="<u4").tobytes())


def hls_verdicts(exe: Path, packets: Sequence[Sequence[int]], work: Path) -> list[bool]:
    work.mkdir(parents=True, exist_ok=True)
    batch = work / "packets.bin"
    write_batch(packets, batch)
    r = subprocess.run([str(exe), str(batch)], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{exe.name} failed: {r.stderr.strip()}")
    v = [line == "1" for line in r.stdout.split()]
    if len(v) != len(packets):
        raise RuntimeError(f"{exe.name}: {len(v)} verdicts for {len(packets)} packets")
    return v


def compare(packets: Sequence[Sequence[int]], core: Core, verdicts: Sequence[bool]) -> dict:
    """Golden verdicts against a core's; counts by outcome class and the disagreements (with the rule)."""
    classes: Counter = Counter()
    disagree = []
    for p, got in zip(packets, verdicts, strict=True):
        bad = first_violation(p, core)
        want = bad is None
        classes["accepted" if want else _rule_class(str(bad))] += 1
        if got != want:
            disagree.append({"words": len(p), "golden": want, "core": got, "rule": str(bad) if bad else ""})
    return {"cases": len(packets), "classes": dict(classes), "disagreements": disagree}


RULE_CLASSES = ("magic", "version", "width", "height", "weight_bits", "act_bits", "yn_lshift", "res_lshift",
                "out_shift", "shift", "weight", "packet of", "ends inside", "F =", "C =", "N =", "KH =", "KW =", "G =",
                "32-bit")


def _rule_class(rule: str) -> str:
    """The rule a rejected packet broke, as an outcome class (architecture fields together)."""
    for key in RULE_CLASSES:
        if key in rule:
            if key in ("packet of", "ends inside"):
                return "length"
            if key.endswith(" ="):
                return "architecture"
            return "layer shift" if key == "shift" else key
    return "other"


def run(count: int, hls_exe: Path, work: Path, seed: int = 0,
        progress: Callable[[str], None] = print) -> dict:
    """Generate `count` packets for the default network and judge them with golden and the HLS loader."""
    from qcsr.golden.config_packet import config_words
    from qcsr.resolver import open_model

    model = open_model("qcsr_x2_proposed").quant()
    core = Core.of_model(model)
    good = [int(x) for x in config_words(model, 64, 48)]
    progress(f"generating {count} packets (Hypothesis, seed {seed})")
    packets = generate(good, core, count, seed)
    progress(f"HLS loader on {len(packets)} packets")
    verdicts = hls_verdicts(hls_exe, packets, work)
    return compare(packets, core, verdicts)


def markdown(results: dict[str, dict], seed: int) -> str:
    """docs/fuzz.md's packet section: per core, cases and outcome classes (golden's), disagreements."""
    classes = sorted({c for r in results.values() for c in r["classes"]}, key=lambda c: (c != "accepted", c))
    lines = ["## Configuration packets", "",
             f"Random and mutated packets from Hypothesis (seed {seed}), each judged by the golden parser "
             "(golden/packet_rules.py) and by the core's loader. Outcome classes are the golden verdicts: "
             "accepted, or the first rule the packet breaks.", "",
             "| core | cases | disagreements | " + " | ".join(classes) + " |",
             "|---|---|---|" + "---|" * len(classes)]
    for name, r in results.items():
        lines.append(f"| {name} | {r['cases']:,} | {len(r['disagreements'])} | "
                     + " | ".join(f"{r['classes'].get(c, 0):,}" for c in classes) + " |")
    for name, r in results.items():
        for d in r["disagreements"][:10]:
            lines.append(f"\n* {name}: a {d['words']}-word packet, golden {'accepts' if d['golden'] else 'rejects'}"
                         f" ({d['rule'] or 'no rule broken'}), the core {'accepts' if d['core'] else 'rejects'}")
    return "\n".join(lines) + "\n"


def rtl_batch(count: int, seed: int, work: Path) -> dict:
    """The RTL core's verdicts on `count` fuzzed packets (rtl_tb/fuzz/test_rtl_fuzz_packets.py, cocotb)."""
    import os
    import sys

    root = Path(__file__).resolve().parents[1]
    out = work / "rtl.json"
    out.unlink(missing_ok=True)
    env = dict(os.environ, QCSR_FUZZ_PACKETS=str(count), QCSR_FUZZ_SEED=str(seed), QCSR_FUZZ_JSON=str(out.resolve()))
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                        str(root / "rtl_tb" / "fuzz")], cwd=root, env=env, capture_output=True, text=True)
    if not out.exists():
        raise RuntimeError(f"the RTL packet batch did not finish:\n{r.stdout[-3000:]}{r.stderr[-2000:]}")
    return __import__("json").loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Fuzz the configuration-packet rules: golden vs the HLS and RTL "
                                 "loaders (docs/fuzz.md).")
    ap.add_argument("--count", type=int, default=10_000, help="packets through golden and the HLS loader")
    ap.add_argument("--rtl", type=int, default=200, help="packets through the RTL core (cocotb); 0: none")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--hls", type=Path, default=Path("build/hls/fold1/qcsr_packet_verdicts"))
    ap.add_argument("--work", type=Path, default=Path("build/fuzz"))
    ap.add_argument("--md", type=Path, help="write the packet section of docs/fuzz.md here (qcsr.fuzz_files "
                    "--include puts it in the document)")
    a = ap.parse_args(argv)
    results = {"HLS (C simulation of cfg_parse_packet)": run(a.count, a.hls, a.work, a.seed)}
    if a.rtl:
        print(f"RTL core on {a.rtl} packets (cocotb, Verilator)")
        results["RTL (qcsr_top, MAX 64 x 64, cocotb)"] = rtl_batch(a.rtl, a.seed + 1, a.work)
    text = markdown(results, a.seed)
    print(text)
    if a.md:
        a.md.parent.mkdir(parents=True, exist_ok=True)
        a.md.write_text(text)
    return 1 if any(r["disagreements"] for r in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
