"""Top-level tests of qcsr_top against the golden vectors (cocotb + cocotbext-axi, Verilator).

Every comparison is np.array_equal against the golden engine's frame: the vector files, or frames
computed here with golden.engine.GoldenEngine from a model rebuilt out of a vector's cfg packet.
`make cosim RTL=<dir>` runs the same tests on another core with the same ports (an HLS export);
QCSR_MAX_W / QCSR_MAX_H tell the tests the core's limits (1920 x 1080 unless set). test_qcsr_top_hls
(`make cosim RTL=hls`) runs them on the HLS C++ source through a DPI-C shell (hls/tb/rtl_shell,
QCSR_CORE=hls): data and protocol are checked as for the RTL; the few checks that depend on the RTL's
cycle timing say so where they branch.
"""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from qcsr_tbutil import QcsrTop, compare, random_pause, vector_array, vector_entry, vector_index, vector_model

MAX_W = int(os.environ.get("QCSR_MAX_W", "1920"))
MAX_H = int(os.environ.get("QCSR_MAX_H", "1080"))
SEED = int(os.environ.get("QCSR_SEED", "12345"))
HLS = os.environ.get("QCSR_CORE") == "hls"   # the HLS C++ core in its DPI-C shell

ST_NOSOF, ST_EARLY, ST_LATE, ST_CFG, ST_BUSY = 1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20


def golden_frame(model, rgb: np.ndarray) -> np.ndarray:
    from qcsr.golden.engine import GoldenEngine

    return GoldenEngine(model).upscale(rgb)


def cfg_for(model, width: int, height: int) -> np.ndarray:
    from qcsr.golden.config_packet import config_words

    return config_words(model, width, height)


async def run_stream(tb: QcsrTop, items: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]) -> None:
    """Send (name, cfg, input, expected) items back to back and compare every output frame.

    The next packet is sent as soon as the previous frame has started (the core holds it in its shadow
    registers until that frame is done), then the next frame is queued right behind the current one.
    """
    errors: list[str] = []

    async def receiver():
        for name, _cfg, rgb, want in items:
            got = await tb.recv_frame(rgb.shape[0], rgb.shape[1])
            try:
                compare(name, got, want)
                tb.log.info("%s: %dx%d bit-exact", name, rgb.shape[1], rgb.shape[0])
            except AssertionError as e:
                errors.append(str(e))

    rx = cocotb.start_soon(receiver())
    prev_cfg = None
    for _name, cfg, rgb, _want in items:
        if prev_cfg is None or not np.array_equal(cfg, prev_cfg):
            await tb.send_cfg(cfg, timeout_cycles=20 * rgb.size + 100_000)
            prev_cfg = cfg
        started = await tb.send_frame(rgb)
        await tb.wait_event(started, 20 * rgb.size + 100_000)
    await rx
    assert not errors, "; ".join(errors)


def vector_item(name: str):
    e = vector_entry(name)
    return name, vector_array(e, "cfg"), vector_array(e, "input_rgb"), vector_array(e, "output_rgb")


def fits(e: dict) -> bool:
    return e["width"] <= MAX_W and e["height"] <= MAX_H


# ---------------------------------------------------------------------------------------------- tests


@cocotb.test()
async def all_vectors(dut):
    """Every vector of the index (real, adversarial incl. odd and 2x2 sizes, stress, bicubic model)."""
    tb = QcsrTop(dut)
    await tb.reset()
    only = os.environ.get("QCSR_ONLY")
    names = [v["name"] for v in vector_index()["vectors"] if fits(v) and (not only or v["name"] in only.split(","))]
    await run_stream(tb, [vector_item(n) for n in names])
    assert tb.status() & 0xFFFF == 0, f"status {tb.status():#x}: errors flagged on well-formed input"


@cocotb.test()
async def idle_and_backpressure(dut):
    """Random input idle cycles and random output back-pressure, odd/min/saturating/real sizes."""
    tb = QcsrTop(dut)
    await tb.reset()
    rounds = [  # (input idle probability, output not-ready probability, vectors)
        (0.3, 0.5, ["coffee_33x17", "min_2x2", "stress_odd_7x5", "bicubicmodel_camera_40x30"]),
        (0.0, 0.8, ["odd_9x3", "tall_2x9"]),
        (0.7, 0.0, ["vline_17x9"]),
    ]
    for k, (p_idle, p_bp, names) in enumerate(rounds):
        tb.set_idle(random_pause(p_idle, SEED + k))
        tb.set_backpressure(random_pause(p_bp, SEED + 100 + k))
        await run_stream(tb, [vector_item(n) for n in names])
    tb.set_idle(None)
    tb.set_backpressure(None)


@cocotb.test()
async def back_to_back_and_weight_switch(dut):
    """Frames queued back to back (same packet), then switches between the two trained weight sets."""
    tb = QcsrTop(dut)
    await tb.reset()
    same = ["checker1_24x16", "checker2_24x16", "saltpepper_24x16", "checker1_24x16"]
    items = [vector_item(n) for n in same]
    assert all(np.array_equal(items[0][1], it[1]) for it in items), "expected one packet for these vectors"
    # proposed -> bicubic model -> proposed -> bicubic model, each switch right behind a running frame
    items += [vector_item(n) for n in ("astronaut_48x32", "bicubicmodel_astronaut_48x32", "camera_40x30",
                                        "bicubicmodel_camera_40x30")]
    await run_stream(tb, items)


@cocotb.test()
async def max_size_frame(dut):
    """A random frame of the core's maximum size (MAX_W x MAX_H; skipped above 64 x 64 for time)."""
    w, h = MAX_W, MAX_H
    if w * h > 64 * 64:
        w, h = 64, 64
    tb = QcsrTop(dut)
    await tb.reset()
    model = vector_model(vector_entry("astronaut_48x32"))
    rgb = np.random.default_rng(SEED).integers(0, 256, (h, w, 3), dtype=np.uint8)
    await run_stream(tb, [(f"random_{w}x{h}", cfg_for(model, w, h), rgb, golden_frame(model, rgb))])


@cocotb.test()
async def left_shifts_and_residual_alignment(dut):
    """Random small-weight models whose layers shift left (s <= 0) and saturate, with a tail format
    far from the vectors' (fa_tail = 24: yn_lshift = 10; fa_tail = 2: res_lshift = 12)."""
    from qcsr_tbutil import shift_model

    tb = QcsrTop(dut)
    await tb.reset()
    arch = dict(vector_model(vector_entry("odd_7x5")).arch.to_dict())
    arch.pop("scale", None)
    n_layers = 2 * arch["N"] + 2
    a = [-2] + [1, 0] * arch["N"] + [0]                 # fa: 4, 5, 7, ... 22, tail 24
    b = [-1] + [-1, 5] * arch["N"] + [3]                # fa: 3, 6, 3, 6, ..., 3, tail 2
    rng = np.random.default_rng(SEED)
    items = []
    for label, shifts in (("lshift_yn", a), ("lshift_res", b)):
        assert len(shifts) == n_layers
        model = shift_model(arch, shifts, fw=2, wmax=2, seed=len(items))
        rgb = rng.integers(0, 256, (16, 24, 3), dtype=np.uint8)
        want = golden_frame(model, rgb)
        items.append((f"{label} (fa_tail {model.layers[-1].act_format.frac})", cfg_for(model, 24, 16), rgb, want))
    await run_stream(tb, items)


@cocotb.test()
async def random_models(dut):
    """Random weights for the architecture the core was built for (QCSR_ARCH, JSON; the default
    network otherwise): odd, minimum and tall frames, and a model with left shifts."""
    import json

    from qcsr_tbutil import random_layer_case, shift_model

    tb = QcsrTop(dut)
    await tb.reset()
    arch = json.loads(os.environ.get("QCSR_ARCH", '{"F": 3, "C": 16, "N": 6, "KH": 3, "KW": 3, "G": 4}'))
    rng = np.random.default_rng(SEED + 7)
    items = []
    for k, (w, h) in enumerate([(13, 7), (2, 2), (5, 9)]):
        model, _ = random_layer_case(arch, 4, 4, seed=k)
        rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        items.append((f"random{k} {w}x{h}", cfg_for(model, w, h), rgb, golden_frame(model, rgb)))
    n = 2 * arch["N"] + 2
    lmodel = shift_model(arch, [-1] + [-1, 1] * arch["N"] + [0], fw=2, wmax=2, seed=9)
    rgb = rng.integers(0, 256, (6, 11, 3), dtype=np.uint8)
    assert len(lmodel.layers) == n
    items.append(("left shifts 11x6", cfg_for(lmodel, 11, 6), rgb, golden_frame(lmodel, rgb)))
    await run_stream(tb, items)


@cocotb.test()
async def malformed_streams(dut):
    """Missing SOF, early EOL, late EOL and SOF inside a frame: flags set, next frame bit-exact."""
    tb = QcsrTop(dut)
    await tb.reset()
    name, cfg, rgb, want = vector_item("noise_rgb_20x14")
    h, w = rgb.shape[:2]
    _, cfg2, rgb2, want2 = vector_item("odd_9x3")
    await tb.send_cfg(cfg)
    lines = [(rgb[r], r == 0) for r in range(h)]

    cases = {
        "missing_sof": ([(px, False) for px, _ in lines], ST_NOSOF),
        "early_eol": (lines[:3] + [(rgb[3, : w - 5], False)] + lines[4:], ST_EARLY),
        "late_eol": (lines[:5] + [(np.concatenate([rgb[5], rgb[6, :3]]), False)] + lines[6:], ST_LATE),
        "sof_inside": (lines[: h // 2], ST_LATE),   # the next frame's TUSER breaks this one
    }
    for case, (bad_lines, flag) in cases.items():
        before = tb.status()
        await tb.send_lines(bad_lines)
        started = await tb.send_frame(rgb)
        await tb.wait_event(started, 50_000)
        got = await tb.recv_frame(h, w, sync=True)
        compare(f"{name} after {case}", got, want)
        st = tb.status()
        assert st & flag, f"{case}: status {st:#x} lacks flag {flag:#x}"
        assert (st & 0xFFFF) > (before & 0xFFFF), f"{case}: error counter did not advance ({before:#x} -> {st:#x})"
        tb.log.info("%s: status %#x, next frame bit-exact", case, st)
    # a different packet and size after all that
    await run_stream(tb, [("odd_9x3", cfg2, rgb2, want2)])


@cocotb.test()
async def reset_mid_frame(dut):
    """Reset in the middle of a frame: configuration cleared, beats dropped until a new packet, then exact."""
    tb = QcsrTop(dut)
    await tb.reset()
    name, cfg, rgb, want = vector_item("camera_40x30")
    await tb.send_cfg(cfg)
    await tb.send_lines([(rgb[r], r == 0) for r in range(rgb.shape[0] // 2)])
    await tb.wait_input(20_000)
    await tb.cycles(50)
    assert tb.status() & ST_BUSY, "frame should be in progress before the reset"
    await tb.reset()
    assert tb.status() == 0, f"status {tb.status():#x} after reset"
    # no configuration after reset: a whole frame is dropped
    await tb.send_frame(rgb)
    await tb.wait_input(20_000)
    await tb.expect_no_output(500)
    assert tb.status() & ST_NOSOF, "frame without configuration should set the missing-SOF/drop flag"
    await run_stream(tb, [(name, cfg, rgb, want)])


@cocotb.test()
async def config_packets(dut):
    """Rejected packets (bad magic, TLAST early or missing, size over the limit) keep the active set."""
    tb = QcsrTop(dut)
    await tb.reset()
    name, cfg, rgb, want = vector_item("hline_12x11")
    # nothing processed before the first valid packet
    await tb.send_frame(rgb)
    await tb.wait_input(10_000)
    await tb.expect_no_output(300)
    assert tb.status() & ST_NOSOF
    await tb.send_cfg(cfg)
    await tb.cycles(10)
    assert not tb.status() & ST_CFG, f"good packet rejected (status {tb.status():#x})"
    await run_stream(tb, [(name, cfg, rgb, want)])

    bad_magic = cfg.copy()
    bad_magic[0] ^= 1
    too_wide = cfg.copy()
    too_wide[2] = MAX_W + 1
    bad_arch = cfg.copy()
    bad_arch[5] += 1        # C
    truncated = cfg[:-1]    # TLAST one word early
    too_long = np.concatenate([cfg, cfg[-1:]])
    other = vector_item("odd_7x5")
    for label, words in [("bad_magic", bad_magic), ("too_wide", too_wide), ("bad_arch", bad_arch),
                         ("truncated", truncated), ("too_long", too_long)]:
        await tb.reset()                       # fresh sticky flags, then a good packet
        await tb.send_cfg(cfg)
        await tb.send_cfg(words)
        if HLS:
            # RTL-only timing: the RTL judges a packet as it arrives; the HLS core reads the waiting
            # packets at a start of frame, up to the first good one: the good packet at this frame,
            # the bad one at the next (run_stream sends the good packet once more before it)
            await run_stream(tb, [(f"{name} before {label}", cfg, rgb, want)])
            assert not tb.status() & ST_CFG, f"{label}: judged before its start of frame?"
            started = await tb.send_frame(rgb)
            await tb.wait_event(started, 100_000)
            compare(f"{name} with {label} waiting", await tb.recv_frame(*rgb.shape[:2]), want)
        await tb.cycles(10)
        st = tb.status()
        assert st & ST_CFG, f"{label}: packet not rejected (status {st:#x})"
        # the good packet is still active: the same frame is still exact
        await run_stream(tb, [(f"{name} after {label}", cfg, rgb, want)])
        tb.log.info("%s rejected (status %#x)", label, st)
    await run_stream(tb, [other])


@cocotb.test()
async def perturbed_weight_mismatches(dut):
    """One head weight changed in the packet: the output must differ from the vector's golden frame
    (proves the comparison can fail) and equal the golden frame of the perturbed model."""
    from qcsr.fixedpoint.quant_model import build_quant_model

    tb = QcsrTop(dut)
    await tb.reset()
    e = vector_entry("camera_40x30")
    cfg = vector_array(e, "cfg").copy()
    rgb = vector_array(e, "input_rgb")
    want = vector_array(e, "output_rgb")
    model = vector_model(e)
    head = model.layers[0].weights.copy()
    idx = (3, 0, 1, 1)                      # channel 3, centre tap
    w = int(head[idx])
    new = w - 256 if w >= 0 else w + 256    # stays inside the 10-bit range
    head[idx] = new
    pos = 12 + 1 + int(np.ravel_multi_index(idx, head.shape))
    assert int(cfg[pos].astype(np.int32)) == w, "packet layout changed?"
    cfg[pos] = np.uint32(new & 0xFFFFFFFF)
    weights = [head] + [lay.weights for lay in model.layers[1:]]
    pmodel = build_quant_model(model.arch, weights, model.formats)
    await tb.send_cfg(cfg)
    await tb.send_frame(rgb)
    got = await tb.recv_frame(e["height"], e["width"])
    ndiff = int(np.any(got != want, axis=-1).sum())
    assert ndiff > 0, "perturbed weight produced the unperturbed output: the comparison cannot fail?"
    compare("perturbed model", got, golden_frame(pmodel, rgb))
    tb.log.info("perturbed weight: %d HR pixels differ from the vector, output equals perturbed golden", ndiff)


# ---------------------------------------------------------------------------------------------- pytest


def _params(fold: int) -> dict:
    from qcsr_tbutil import RTL_DIR, rtl_dir

    # the hand-written core is built small for the regression; another core (cosim) keeps its own
    return {"MAX_W": 64, "MAX_H": 64, "FOLD": fold} if rtl_dir() == RTL_DIR else {}


# FOLD 4 `-m slow` (make test-all): the stages run FOLD 4 in CI (qcsr_dw_stage, qcsr_pw_stage), the top FOLD 1, 2
@pytest.mark.parametrize("fold", [1, 2, pytest.param(4, marks=pytest.mark.slow)])
def test_qcsr_top(vectors_dir, fold):
    from qcsr_tbutil import RTL_DIR, rtl_dir, rtl_sources, run_cocotb

    if fold != 1 and rtl_dir() != RTL_DIR:
        pytest.skip("FOLD applies to the hand-written core; another core is run once")
    vector_index(str(vectors_dir))  # fail early on a bad folder
    params = _params(fold)
    env = {"QCSR_VECTORS": str(vectors_dir)}
    if params:
        env.update(QCSR_MAX_W=str(params["MAX_W"]), QCSR_MAX_H=str(params["MAX_H"]))
    run_cocotb("qcsr_top", "test_qcsr_top", rtl_sources(), params, extra_env=env)


VARIANT = dict(F=3, C=4, N=2, KH=1, KW=5, G=2)   # the horizontal-only network: CNN output waits for the bicubic


@pytest.mark.parametrize("fold", [1, 2])
def test_qcsr_top_variant(vectors_dir, fold):
    """Another architecture (1x5 depthwise kernels, C = 4, G = 2): random models only."""
    import json

    from qcsr_tbutil import RTL_DIR, rtl_dir, rtl_sources, run_cocotb

    if rtl_dir() != RTL_DIR:
        pytest.skip("architecture parameters apply to the hand-written core only")
    env = {"QCSR_VECTORS": str(vectors_dir), "QCSR_ARCH": json.dumps(VARIANT), "QCSR_MAX_W": "64", "QCSR_MAX_H": "64"}
    run_cocotb("qcsr_top", "test_qcsr_top", rtl_sources(), dict(VARIANT, MAX_W=64, MAX_H=64, FOLD=fold), extra_env=env,
               testcase="random_models")


@pytest.mark.parametrize("fold", [1, 2])
def test_qcsr_top_hls(vectors_dir, fold):
    """The same regression on the HLS C++ core (hls/), built with FOLD = 1 / 2 and MAX 64 x 64, in its
    DPI-C shell."""
    from qcsr_tbutil import hls_shell_build, run_cocotb

    vector_index(str(vectors_dir))
    sources, args = hls_shell_build(fold)
    env = {"QCSR_VECTORS": str(vectors_dir), "QCSR_CORE": "hls", "QCSR_MAX_W": "64", "QCSR_MAX_H": "64"}
    run_cocotb("qcsr_top", "test_qcsr_top", sources, {}, extra_env=env, build_tag=f"-hls-FOLD{fold}",
               build_args=args)


def test_qcsr_top_hls_variant(vectors_dir):
    """The HLS core compiled for the 1x5 network (its CNN output waits for the bicubic: slot_delay)."""
    import json

    from qcsr_tbutil import hls_shell_build, run_cocotb

    sources, args = hls_shell_build(1, arch=VARIANT)
    env = {"QCSR_VECTORS": str(vectors_dir), "QCSR_CORE": "hls", "QCSR_ARCH": json.dumps(VARIANT),
           "QCSR_MAX_W": "64", "QCSR_MAX_H": "64"}
    run_cocotb("qcsr_top", "test_qcsr_top", sources, {}, extra_env=env, build_tag="-hls-variant", build_args=args,
               testcase="random_models")
