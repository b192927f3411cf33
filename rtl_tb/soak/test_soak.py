"""Coverage-driven soak of the RTL core (qcsr_top, cocotb + cocotb-coverage, Verilator): constrained-random
streams of well-formed and malformed frames, configuration packets good and bad between frames and while a
frame streams, resets mid-frame and between frames, every idle and back-pressure pattern, frame sizes from
the minimum (2 x 2) to the MAX_W x MAX_H corners (`make soak` -> docs/soak.md; CI runs a short seed).

The scoreboard is the golden model: a packet's verdict is golden.packet_rules' (`first_violation`), a good
frame's pixels are the golden engine's for the configuration the core had when it took the frame's SOF
(the packets the scoreboard saw accepted, in order; each good packet is committed between frames). Checked
on every step: every well-formed frame bit-exact, every malformed one flagged in `status` (its flag bit, the
error counter advanced) and followed by a bit-exact frame, one output frame per well-formed input frame and
no other output (nothing lost or duplicated), each packet's accept / reject pulse as golden says.

Coverage-driven: each step's choices are drawn towards bins not hit yet (half the time), so a short run
closes every bin; the report lists each bin's hits. QCSR_SOAK_FRAMES (input frames, default 500),
QCSR_SOAK_SEED, QCSR_SOAK_JSON (write coverage and counts there).
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

import cocotb
import numpy as np
import pytest
from qcsr_tbutil import QcsrTop, compare

# the build of the qcsr_top regression (MAX 64 x 64, one build folder per FOLD, shared: no extra Verilator build)
MAX_W = int(os.environ.get("QCSR_MAX_W", "64"))
MAX_H = int(os.environ.get("QCSR_MAX_H", "64"))
ST_NOSOF, ST_EARLY, ST_LATE, ST_CFG, ST_BUSY = 1 << 16, 1 << 17, 1 << 18, 1 << 19, 1 << 20

SIZES = ["min 2x2", "max WxH", "max W", "max H", "odd W", "odd H", "any"]
CONTENTS = ["natural", "noise", "black", "white", "checker", "saturating ramp"]
PATTERNS = ["none", "light", "heavy", "bursts"]
MALFORMED = ["missing_sof", "early_eol", "late_eol", "sof_inside"]
POSITIONS = ["first row", "middle row", "last row"]
PACKETS = ["good", "bad magic", "bad version", "too wide", "zero height", "bad arch", "bad weight", "bad shift",
           "bad trailer", "truncated", "too long"]
TIMINGS = ["between frames", "during a frame"]
RESETS = ["mid-frame", "between frames"]
FLAG = {"missing_sof": ST_NOSOF, "early_eol": ST_EARLY, "late_eol": ST_LATE, "sof_inside": ST_LATE}


# ---------------------------------------------------------------------------------------------- coverage
def _coverage():
    """The functional coverage model (cocotb-coverage): sampling functions for frames, malformed frames,
    packets and resets."""
    from cocotb_coverage.coverage import CoverCross, CoverPoint

    @CoverPoint("soak.frame.size", xf=lambda s: s["size"], bins=SIZES)
    @CoverPoint("soak.frame.content", xf=lambda s: s["content"], bins=CONTENTS)
    @CoverPoint("soak.frame.idle", xf=lambda s: s["idle"], bins=PATTERNS)
    @CoverPoint("soak.frame.backpressure", xf=lambda s: s["bp"], bins=PATTERNS)
    @CoverPoint("soak.frame.model", xf=lambda s: s["model"], bins=["proposed", "bicubic"])
    @CoverCross("soak.frame.idle_x_backpressure", items=["soak.frame.idle", "soak.frame.backpressure"])
    def frame(s):
        pass

    @CoverPoint("soak.malformed.class", xf=lambda s: s["cls"], bins=MALFORMED)
    @CoverPoint("soak.malformed.position", xf=lambda s: s["pos"], bins=POSITIONS)
    @CoverCross("soak.malformed.class_x_position", items=["soak.malformed.class", "soak.malformed.position"])
    def malformed(s):
        pass

    @CoverPoint("soak.packet.kind", xf=lambda s: s["kind"], bins=PACKETS)
    @CoverPoint("soak.packet.timing", xf=lambda s: s["timing"], bins=TIMINGS)
    @CoverCross("soak.packet.kind_x_timing", items=["soak.packet.kind", "soak.packet.timing"])
    def packet(s):
        pass

    @CoverPoint("soak.reset", xf=lambda s: s["when"], bins=RESETS)
    def reset(s):
        pass

    return frame, malformed, packet, reset


def _hits(name: str) -> dict:
    from cocotb_coverage.coverage import coverage_db

    return {str(k): int(v) for k, v in coverage_db[name].detailed_coverage.items()}


def _pick(rng: random.Random, name: str, bins: list[str]) -> str:
    """A bin of `name`: half the time one not hit yet (coverage closure), otherwise any."""
    if rng.random() < 0.5:
        hits = _hits(name)
        cold = [b for b in bins if hits.get(b, 0) == 0]
        if cold:
            return rng.choice(cold)
    return rng.choice(bins)


# ---------------------------------------------------------------------------------------------- stimulus
def _size(rng: random.Random, which: str) -> tuple[int, int]:
    w = rng.randint(2, MAX_W)
    h = rng.randint(2, MAX_H)
    if which == "min 2x2":
        return 2, 2
    if which == "max WxH":
        return MAX_W, MAX_H
    if which == "max W":
        return MAX_W, rng.randint(2, MAX_H - 1)
    if which == "max H":
        return rng.randint(2, MAX_W - 1), MAX_H
    if which == "odd W":
        return rng.randrange(3, MAX_W, 2), h
    if which == "odd H":
        return w, rng.randrange(3, MAX_H, 2)
    return w, h


def _size_bin(w: int, h: int) -> str:
    if (w, h) == (2, 2):
        return "min 2x2"
    if (w, h) == (MAX_W, MAX_H):
        return "max WxH"
    if w == MAX_W:
        return "max W"
    if h == MAX_H:
        return "max H"
    if w % 2:
        return "odd W"
    if h % 2:
        return "odd H"
    return "any"


def _content(rng: random.Random, kind: str, h: int, w: int) -> np.ndarray:
    from skimage import data as skdata

    if kind == "natural":
        img = skdata.astronaut()
        y, x = rng.randrange(0, 512 - h), rng.randrange(0, 512 - w)
        return np.ascontiguousarray(img[y : y + h, x : x + w])
    if kind == "noise":
        return np.random.default_rng(rng.randrange(1 << 30)).integers(0, 256, (h, w, 3), dtype=np.uint8)
    if kind == "black":
        return np.zeros((h, w, 3), np.uint8)
    if kind == "white":
        return np.full((h, w, 3), 255, np.uint8)
    if kind == "checker":
        c = ((np.arange(h)[:, None] + np.arange(w)[None]) % 2 * 255).astype(np.uint8)
        return np.repeat(c[..., None], 3, axis=2)
    ramp = np.clip(np.arange(w)[None, :, None] * (512 // max(w - 1, 1)) - 128, 0, 255)
    return np.broadcast_to(ramp, (h, w, 3)).astype(np.uint8).copy()


def _pattern(rng: random.Random, kind: str):
    """A cocotbext-axi pause generator (True: pause) for a named idle / back-pressure pattern."""
    seed = rng.randrange(1 << 30)

    def gen():
        r = random.Random(seed)
        if kind == "light":
            while True:
                yield r.random() < 0.1
        elif kind == "heavy":
            while True:
                yield r.random() < 0.6
        else:  # bursts: runs of 1..40 cycles on, then off
            while True:
                on = r.random() < 0.5
                for _ in range(r.randint(1, 40)):
                    yield on

    return None if kind == "none" else gen()


def _bad_packet(rng: random.Random, good: np.ndarray, kind: str, model) -> np.ndarray:
    """A packet broken the `kind` way (the golden rules then judge it; the label only steers the mix)."""
    w = good.astype(np.int64).copy()
    n_head = 12
    if kind == "bad magic":
        w[0] ^= 1 << rng.randrange(32)
    elif kind == "bad version":
        w[1] = rng.choice([0, 2, 255])
    elif kind == "too wide":
        w[2] = MAX_W + rng.randint(1, 5)
    elif kind == "zero height":
        w[3] = rng.choice([0, 1])
    elif kind == "bad arch":
        w[rng.randrange(4, 10)] += rng.choice([-1, 1, 2])
    elif kind == "bad weight":
        bits = model.layers[0].weight_format.bits
        w[n_head + 1 + rng.randrange(9)] = rng.choice([1 << (bits - 1), -(1 << (bits - 1)) - 1, 1 << 20])
    elif kind == "bad shift":
        w[n_head] = rng.choice([-17, 49, 1000])
    elif kind == "bad trailer":      # just outside yn_lshift [0, 18], res_lshift [0, 30], out_shift [14, 32]
        k = rng.randrange(3)
        w[len(w) - 3 + k] = rng.choice([[-1, 19, 99], [-1, 31, 99], [13, 33, -1]][k])
    elif kind == "truncated":
        w = w[: rng.randrange(1, len(w))]
    else:
        w = np.concatenate([w, w[-rng.randint(1, 3):]])
    return (w & 0xFFFFFFFF).astype(np.uint32)


# ---------------------------------------------------------------------------------------------- the test
class Soak:
    def __init__(self, dut, rng: random.Random) -> None:
        from qcsr.golden.packet_rules import Core
        from qcsr.resolver import open_model

        self.tb = QcsrTop(dut)
        self.dut = dut
        self.rng = rng
        self.models = {"proposed": open_model("qcsr_x2_proposed").quant(),
                       "bicubic": open_model("qcsr_x2_bicubic").quant()}
        self.core = Core.of_model(self.models["proposed"], MAX_W, MAX_H)
        self.active: tuple[str, int, int] | None = None     # model name, width, height
        self.pending: list[tuple[str, int, int]] = []         # accepted, not yet committed (at most one)
        self.cov = _coverage()
        self.count = {"frames sent": 0, "well-formed": 0, "malformed": 0, "dropped (no configuration)": 0,
                      "output frames": 0, "packets": 0, "accepted": 0, "rejected": 0, "resets": 0}
        self.verdicts: list[bool] = []
        self.prev_malformed = False
        self._late: tuple | None = None
        cocotb.start_soon(self._watch())

    async def _watch(self):
        from cocotb.triggers import RisingEdge

        core = self.dut.core_inst
        while True:
            await RisingEdge(self.dut.ap_clk)
            if int(core.cfg_accept.value):
                self.verdicts.append(True)
            if int(core.cfg_reject.value):
                self.verdicts.append(False)
            if int(core.cfg_switch.value):
                assert not int(core.busy.value), "configuration switched while a frame was in progress"

    # ------------------------------------------------------------------ packets
    async def packet(self, timing: str, kind: str | None = None, cfg: tuple[str, int, int] | None = None) -> None:
        from qcsr.golden.config_packet import config_words
        from qcsr.golden.packet_rules import first_violation

        if kind is None:
            # towards kinds whose (kind, timing) cross bin is still empty, else the kind bins
            hits = _hits("soak.packet.kind_x_timing")
            cold = [k for k in PACKETS if hits.get(str((k, timing)), 0) == 0]
            kind = self.rng.choice(cold) if cold and self.rng.random() < 0.5 else \
                _pick(self.rng, "soak.packet.kind", PACKETS)
        name = self.rng.choice(list(self.models))
        w, h = _size(self.rng, _pick(self.rng, "soak.frame.size", SIZES))
        if cfg is not None:
            name, w, h = cfg
        model = self.models[name]
        words = config_words(model, w, h)
        if kind != "good":
            words = _bad_packet(self.rng, words, kind, model)
        expect = first_violation(words, self.core) is None
        n = len(self.verdicts)
        self.cov[2]({"kind": kind, "timing": timing})
        if timing == "during a frame":
            # the frame's first line is in; the packet streams while the rest of the frame does, and its
            # verdict is checked once the frame is out (settle_late_packet)
            await self.tb.send_cfg(words, wait=False)
            self._late = (expect, (name, w, h), n, kind)
            return
        await self.tb.send_cfg(words, timeout_cycles=20 * len(words) + 40_000)
        await self._verdict(expect, (name, w, h), n, kind)
        await self._restore(kind, expect, name, w, h)

    async def _restore(self, kind: str, accepted: bool, name: str, w: int, h: int) -> None:
        """A mutated packet the golden rules accept (its fields all in range) describes a configuration no
        model file gives: the scoreboard then loads the model's own packet before any frame uses it."""
        if kind != "good" and accepted:
            self.tb.log.info("mutated packet accepted (in range): reloading the %s model", name)
            await self.packet("between frames", "good", (name, w, h))

    async def _verdict(self, expect: bool, cfg, n: int, kind: str) -> None:
        for _ in range(200):
            if len(self.verdicts) > n:
                break
            await self.tb.cycles(1)
        assert len(self.verdicts) == n + 1, f"{kind} packet: {len(self.verdicts) - n} verdicts"
        got = self.verdicts[n]
        self.tb.log.info("packet %s %s: %s", kind, cfg, "accepted" if got else "rejected")
        assert got == expect, f"{kind} packet: core {'accepts' if got else 'rejects'}, golden the opposite"
        self.count["packets"] += 1
        self.count["accepted" if got else "rejected"] += 1
        if got:
            self.active = cfg           # committed before the next SOF (a pending packet blocks a second)

    async def settle_late_packet(self) -> None:
        late = self._late
        if late is not None:
            self._late = None
            await self.tb.cfg_in.wait()
            await self._verdict(*late)
            expect, (name, w, h), _n, kind = late
            await self._restore(kind, expect, name, w, h)

    # ------------------------------------------------------------------ frames
    def _patterns(self) -> tuple[str, str]:
        idle = _pick(self.rng, "soak.frame.idle", PATTERNS)
        bp = _pick(self.rng, "soak.frame.backpressure", PATTERNS)
        self.tb.set_idle(_pattern(self.rng, idle))
        self.tb.set_backpressure(_pattern(self.rng, bp))
        return idle, bp

    async def good_frame(self, packet_during: bool = False) -> None:
        from qcsr.golden.engine import GoldenEngine

        if self.active is None:
            await self.packet("between frames", "good")
        name, w, h = self.active
        content = _pick(self.rng, "soak.frame.content", CONTENTS)
        rgb = _content(self.rng, content, h, w)
        idle, bp = self._patterns()
        started = await self.tb.send_frame(rgb)
        await self.tb.wait_event(started, 200_000)
        if packet_during:
            await self.packet("during a frame")
        got = await self.tb.recv_frame(h, w, timeout_cycles=60 * h * w + 60_000, sync=self.prev_malformed)
        want = GoldenEngine(self.models[name]).upscale(rgb)
        if not np.array_equal(got, want):
            for other, m in self.models.items():     # name the model the core used, if it is another
                if np.array_equal(got, GoldenEngine(m).upscale(rgb)):
                    self.tb.log.error("frame equals golden of the %s model, expected %s", other, name)
        compare(f"frame {self.count['frames sent']} ({name} {w}x{h} {content})", got, want)
        self.prev_malformed = False
        self.count["frames sent"] += 1
        self.count["well-formed"] += 1
        self.count["output frames"] += 1
        self.cov[0]({"size": _size_bin(w, h), "content": content, "idle": idle, "bp": bp, "model": name})
        await self.settle_late_packet()

    async def malformed_frame(self) -> None:
        if self.active is None:
            await self.packet("between frames", "good")
        name, w, h = self.active
        cls = _pick(self.rng, "soak.malformed.class", MALFORMED)
        pos = _pick(self.rng, "soak.malformed.position", POSITIONS)
        if cls == "sof_inside" and pos == "first row" and h < 2:
            pos = "middle row"
        r = {"first row": 0, "middle row": h // 2, "last row": h - 1}[pos]
        rgb = _content(self.rng, "noise", h, w)
        lines = [(rgb[i], i == 0) for i in range(h)]
        if cls == "missing_sof":
            bad = [(px, False) for px, _ in lines]
        elif cls == "early_eol":
            bad = lines[:r] + [(rgb[r, : self.rng.randint(1, w - 1)], r == 0)] + lines[r + 1 :]
        elif cls == "late_eol":
            extra = rgb[(r + 1) % h, : self.rng.randint(1, w)]
            bad = lines[:r] + [(np.concatenate([rgb[r], extra]), r == 0)] + lines[r + 2 :]
        else:  # sof_inside: the next frame's TUSER arrives after row r (at least one row in)
            bad = lines[: max(r, 1)]
        before = self.tb.status()
        self._patterns()
        self.tb.log.info("malformed %s at %s (row %d) of %dx%d", cls, pos, r, w, h)
        await self.tb.send_lines(bad)
        try:
            await self.tb.wait_input(40 * h * w + 20_000)
        except Exception:
            f = self.dut.core_inst.framer_inst
            names = ["waiting", "st_frame", "st_flush", "st_drain", "w_en", "sk_occ", "fifo_occ", "dropping",
                     "silent", "col_m1", "row_m1"]
            src = self.tb.video_in
            self.tb.log.error("stalled: %s TREADY %s TVALID %s cfg TREADY %s; source empty %s active %s idle %s "
                              "pause %s", {n: str(getattr(f, n).value) for n in names},
                              self.dut.s_axis_video_TREADY.value, self.dut.s_axis_video_TVALID.value,
                              self.dut.s_axis_cfg_TREADY.value, src.empty(), src.active, src.idle(), src.pause)
            raise
        self.prev_malformed = True
        self.count["frames sent"] += 1
        self.count["malformed"] += 1
        self.cov[1]({"cls": cls, "pos": pos})
        # the next frame must be exact; then the flag and the counter are checked (a sof_inside frame is
        # only known malformed when that next frame's SOF arrives)
        await self.good_frame()
        st = self.tb.status()
        assert st & FLAG[cls], f"{cls} at {pos}: status {st:#x} lacks flag {FLAG[cls]:#x}"
        assert (st & 0xFFFF) > (before & 0xFFFF), f"{cls}: error counter did not advance ({before:#x} -> {st:#x})"

    async def reset(self) -> None:
        when = _pick(self.rng, "soak.reset", RESETS)
        if self.active is None:
            when = "between frames"         # no configuration: no frame could be in progress
        if when == "mid-frame":
            name, w, h = self.active
            rgb = _content(self.rng, "natural", h, w)
            self.tb.set_idle(None)
            await self.tb.send_lines([(rgb[i], i == 0) for i in range(max(h // 2, 1))])
            await self.tb.wait_input(40 * h * w + 20_000)
            for _ in range(2000):           # the SOF is taken once the previous frame has left (bounded)
                if self.tb.status() & ST_BUSY:
                    break
                await self.tb.cycles(1)
            assert self.tb.status() & ST_BUSY, "mid-frame reset: no frame in progress"
            self.count["frames sent"] += 1
        self.tb.set_backpressure(None)
        await self.tb.reset()
        assert self.tb.status() == 0, f"status {self.tb.status():#x} after reset"
        self.active, self.prev_malformed = None, False
        self.count["resets"] += 1
        self.cov[3]({"when": when})
        if self.rng.random() < 0.3:     # a frame with no configuration: dropped, flagged
            rgb = _content(self.rng, "noise", 4, 4)
            await self.tb.send_frame(rgb)
            await self.tb.wait_input(20_000)
            await self.tb.expect_no_output(300)
            assert self.tb.status() & ST_NOSOF
            self.prev_malformed = True
            self.count["frames sent"] += 1
            self.count["dropped (no configuration)"] += 1
            await self.good_frame()     # a packet, then an exact frame (the drop run ends at its SOF)


@cocotb.test()
async def soak(dut):
    from cocotb_coverage.coverage import coverage_db

    frames = int(os.environ.get("QCSR_SOAK_FRAMES", "500"))
    seed = int(os.environ.get("QCSR_SOAK_SEED", "1"))
    s = Soak(dut, random.Random(seed))
    await s.tb.reset()
    while s.count["frames sent"] < frames:
        step = s.rng.choices(["good", "malformed", "packet", "packet during", "reset"], [50, 18, 14, 12, 6])[0]
        s.tb.log.info("soak step %d: %s (active %s, status %#x)", s.count["frames sent"], step, s.active,
                      s.tb.status())
        if step == "good":
            await s.good_frame()
        elif step == "malformed":
            await s.malformed_frame()
        elif step == "packet":
            await s.packet("between frames")
        elif step == "packet during":
            await s.good_frame(packet_during=True)
        else:
            await s.reset()
    # nothing more comes out
    s.tb.set_backpressure(None)
    await s.tb.expect_no_output(2000)
    points = ["soak.frame.size", "soak.frame.content", "soak.frame.idle", "soak.frame.backpressure",
              "soak.frame.model", "soak.frame.idle_x_backpressure", "soak.malformed.class",
              "soak.malformed.position", "soak.malformed.class_x_position", "soak.packet.kind",
              "soak.packet.timing", "soak.packet.kind_x_timing", "soak.reset"]
    cov = {p: {"hits": _hits(p), "coverage": float(coverage_db[p].cover_percentage)} for p in points}
    out = os.environ.get("QCSR_SOAK_JSON")
    if out:
        Path(out).write_text(json.dumps({"seed": seed, "max": [MAX_W, MAX_H], "counts": s.count,
                                         "coverage": cov}, indent=1) + "\n")
    s.tb.log.info("soak: %s", s.count)
    if os.environ.get("QCSR_SOAK_CLOSURE", "1") == "1":
        cold = {p: [b for b, n in c["hits"].items() if n == 0] for p, c in cov.items()}
        cold = {p: b for p, b in cold.items() if b}
        assert not cold, f"coverage bins not hit: {cold}"


# ---------------------------------------------------------------------------------------------- pytest
def run_soak(fold: int, frames: int, seed: int, json_out: Path | None = None, closure: bool = True) -> Path:
    from qcsr_tbutil import rtl_sources, run_cocotb

    env = {"QCSR_MAX_W": str(MAX_W), "QCSR_MAX_H": str(MAX_H), "QCSR_SOAK_FRAMES": str(frames),
           "QCSR_SOAK_SEED": str(seed), "QCSR_SOAK_CLOSURE": "1" if closure else "0"}
    if json_out is not None:
        env["QCSR_SOAK_JSON"] = str(json_out)
    return run_cocotb("qcsr_top", "test_soak", rtl_sources(), {"MAX_W": MAX_W, "MAX_H": MAX_H, "FOLD": fold},
                      extra_env=env)


def test_soak_short():
    """CI's short seed: 24 input frames at FOLD 2 (bins need not all close in so few)."""
    pytest.importorskip("cocotb_coverage")
    run_soak(2, 24, seed=7, closure=False)
