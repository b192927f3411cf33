"""qcsr_ip: the core driven the way a processor drives it, through AXI4-Lite (cocotbext-axi AxiLiteMaster),
with the same driver (qcsr.driver.Qcsr) a board uses: it runs in a cocotb bridge thread over
qcsr.sim_bus.CocotbAxiLiteBus. Outputs are compared with np.array_equal against the golden engine;
register values against what the test sent. Idle cycles and back-pressure on the video streams."""

from __future__ import annotations

import os

import cocotb
import numpy as np
import pytest
from cocotb.task import bridge
from qcsr_tbutil import QcsrTop, compare, random_pause

MAX_W = int(os.environ.get("QCSR_MAX_W", "64"))
MAX_H = int(os.environ.get("QCSR_MAX_H", "64"))
FOLD = int(os.environ.get("QCSR_FOLD", "1"))


def golden(model, rgb):
    from qcsr.golden.engine import GoldenEngine

    return GoldenEngine(model).upscale(rgb)


def image(h: int, w: int, seed: int) -> np.ndarray:
    """A real-image crop (skimage astronaut), offset by seed: content the models were trained for."""
    from skimage import data

    img = data.astronaut()
    r, c = (37 * seed) % (img.shape[0] - h), (53 * seed) % (img.shape[1] - w)
    return np.ascontiguousarray(img[r:r + h, c:c + w])


def models():
    from qcsr.resolver import open_model

    return {k: open_model(f"qcsr_x2_{k}").quant() for k in ("proposed", "bicubic")}


class QcsrIp(QcsrTop):
    """QcsrTop's streams, plus the AXI4-Lite master, the driver and the interrupt line."""

    def __init__(self, dut):
        super().__init__(dut)
        from cocotbext.axi import AxiLiteBus, AxiLiteMaster

        from qcsr.driver import Qcsr
        from qcsr.sim_bus import CocotbAxiLiteBus

        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axi_control"), dut.ap_clk, dut.ap_rst_n,
                                  reset_active_level=False)
        self.bus = CocotbAxiLiteBus(self.axil)
        self.drv = Qcsr(self.bus)

    def status(self) -> int:
        raise NotImplementedError("qcsr_ip has no status port: read STATUS through the driver")

    async def call(self, fn, *args, **kwargs):
        """Run a driver method (blocking code) in a bridge thread."""
        return await bridge(fn)(*args, **kwargs)

    async def wait_irq(self, timeout_cycles: int) -> None:
        from cocotb.triggers import RisingEdge, with_timeout

        if int(self.dut.interrupt.value):
            return
        await with_timeout(RisingEdge(self.dut.interrupt), timeout_cycles * self.CLOCK_NS, "ns")

    async def raw_read(self, offset: int):
        return await self.axil.read(offset, 4)

    async def raw_write(self, offset: int, data: bytes):
        """One AXI4-Lite write: cocotbext-axi puts `offset` on AWADDR as given (a misaligned one too) and sets
        WSTRB from it and len(data), which must stay inside the word (else it adds a second transfer)."""
        assert offset % 4 + len(data) <= 4
        return await self.axil.write(offset, data)


async def start(dut) -> QcsrIp:
    tb = QcsrIp(dut)
    await tb.reset()
    return tb


def frame_budget(h: int, w: int) -> int:
    return 20 * h * w * FOLD + 40_000


# ---------------------------------------------------------------------------------------------- tests


@cocotb.test()
async def identify(dut):
    """ID, version and build parameters read back as built; reset values of the control registers."""
    tb = await start(dut)
    b = await tb.call(tb.drv.check_build, models()["proposed"])
    assert b["FOLD"] == FOLD and b["MAX_W"] == MAX_W and b["MAX_H"] == MAX_H, b
    assert (b["F"], b["C"], b["N"], b["KH"], b["KW"], b["G"]) == (3, 16, 6, 3, 3, 4), b
    assert (b["weight_bits"], b["act_bits"]) == (10, 14), b
    ver = await tb.call(tb.drv.fields, "VERSION")
    assert ver == {"regmap": 1, "packet": 1}, ver
    ctrl = await tb.call(tb.drv.ctrl)
    assert ctrl["ap_idle"] == 1 and ctrl["ap_start"] == 0 and ctrl["auto_restart"] == 0, ctrl
    for reg in ("GIE", "IER", "ISR", "ERRORS", "WSEQ", "FRAMES_DONE", "PKTS_ACCEPTED", "ACTIVE_SIZE"):
        assert await tb.call(tb.drv.read, reg) == 0, reg
    assert (await tb.call(tb.drv.fields, "CFG_FIFO"))["vacancy"] == 512


@cocotb.test()
async def single_shot_two_models(dut):
    """Both shipped models loaded through the FIFO register; one frame per ap_start, done interrupt,
    ISR acknowledged; a frame is not admitted without ap_start; counters match what was sent."""
    tb = await start(dut)
    ms = models()
    await tb.call(tb.drv.enable_interrupts, ["done", "cfg_switched"])
    h, w = min(MAX_H, 24), min(MAX_W, 40)
    for k, (name, model) in enumerate(ms.items()):
        await tb.call(tb.drv.load_model, model, w, h)
        rgb = image(h, w, k + 1)
        await tb.send_frame(rgb)
        # not admitted yet: nothing comes out, no frame done
        await tb.cycles(3 * h * w * FOLD + 2000)
        assert tb.video_out.empty(), f"{name}: output before ap_start"
        assert await tb.call(tb.drv.read, "FRAMES_DONE") == k
        # the configuration switch already happened (between frames, while idle)
        assert "cfg_switched" in await tb.call(tb.drv.ack, ["cfg_switched"])
        await tb.call(tb.drv.start)
        got = await tb.recv_frame(h, w)
        assert np.array_equal(got, golden(model, rgb)), f"{name}: output differs from golden"
        await tb.wait_irq(frame_budget(h, w))
        await tb.call(tb.drv.wait_done, 1.0, lambda _t: True)    # the line is high: ack ISR.done
        await tb.cycles(4)
        assert int(dut.interrupt.value) == 0, "interrupt still high after ISR was cleared"
        assert await tb.call(tb.drv.active_size) == (w, h)
    c = await tb.call(tb.drv.counters)
    assert c == {"WSEQ": 2, "FRAMES_DONE": 2, "FRAMES_ABANDONED": 0, "PKTS_ACCEPTED": 2, "PKTS_REJECTED": 0}, c
    assert await tb.call(tb.drv.read, "ERRORS") == 0
    # counters are read-only (SLVERR, unchanged); CLEAR zeroes all but WSEQ
    r = await tb.raw_write(tb.drv.offset("FRAMES_DONE"), b"\x07\x00\x00\x00")
    assert int(r.resp) == 2 and await tb.call(tb.drv.read, "FRAMES_DONE") == 2
    await tb.call(tb.drv.clear_counters)
    c = await tb.call(tb.drv.counters)
    assert c == {"WSEQ": 2, "FRAMES_DONE": 0, "FRAMES_ABANDONED": 0, "PKTS_ACCEPTED": 0, "PKTS_REJECTED": 0}, c


@cocotb.test()
async def auto_restart_backpressure(dut):
    """auto_restart: frames back to back with random input idle and output back-pressure, bit-exact;
    after stop() the next frame waits for ap_start."""
    tb = await start(dut)
    model = models()["proposed"]
    h, w = min(MAX_H, 17), min(MAX_W, 23)          # odd sizes
    await tb.call(tb.drv.load_model, model, w, h)
    await tb.call(tb.drv.start, True)
    tb.set_idle(random_pause(0.3, 1))
    tb.set_backpressure(random_pause(0.5, 2))
    frames = [image(h, w, s) for s in (3, 4, 5)]
    for rgb in frames:
        await tb.send_frame(rgb)
    for i, rgb in enumerate(frames):
        got = await tb.recv_frame(h, w, timeout_cycles=3 * frame_budget(h, w))
        assert np.array_equal(got, golden(model, rgb)), f"frame {i}: output differs from golden"
    await tb.call(tb.drv.stop)
    await tb.cycles(200)
    done = await tb.call(tb.drv.read, "FRAMES_DONE")
    assert done == 3, done
    rgb = image(h, w, 6)
    await tb.send_frame(rgb)
    await tb.cycles(3 * h * w * FOLD + 2000)
    assert tb.video_out.empty(), "a frame was admitted after stop()"
    await tb.call(tb.drv.start)
    got = await tb.recv_frame(h, w, timeout_cycles=3 * frame_budget(h, w))
    assert np.array_equal(got, golden(model, rgb))


@cocotb.test()
async def errors_and_interrupts(dut):
    """A malformed frame (early EOL) raises stream_error and counts an abandoned frame; a rejected packet
    raises cfg_rejected and keeps the active model; ISR toggle-on-write clears only what was set."""
    tb = await start(dut)
    model = models()["proposed"]
    h, w = min(MAX_H, 12), min(MAX_W, 16)
    await tb.call(tb.drv.load_model, model, w, h)
    await tb.call(tb.drv.enable_interrupts, ["stream_error", "cfg_rejected"])
    await tb.call(tb.drv.start, True)
    rgb = image(h, w, 7)
    # line 3 ends early (TLAST on pixel w - 2)
    lines = [(rgb[r], r == 0) for r in range(h)]
    lines[3] = (rgb[3][: w - 1], False)
    await tb.send_lines(lines)
    await tb.wait_irq(frame_budget(h, w))
    isr = await tb.call(tb.drv.fields, "ISR")
    assert isr["stream_error"] == 1 and isr["cfg_rejected"] == 0, isr
    err = await tb.call(tb.drv.errors)
    assert err["early_eol"] == 1 and err["late_eol"] == 0, err
    await tb.cycles(2000)
    assert await tb.call(tb.drv.read, "FRAMES_ABANDONED") == 1
    # toggle on write (Vitis ISR): writing 1 clears a set bit and sets a clear one
    await tb.call(tb.drv.write, "ISR", tb.drv.mask("ISR", ["stream_error", "cfg_rejected"]))
    isr = await tb.call(tb.drv.fields, "ISR")
    assert isr["stream_error"] == 0 and isr["cfg_rejected"] == 1, isr
    await tb.call(tb.drv.write, "ISR", tb.drv.mask("ISR", ["cfg_rejected"]))
    isr = await tb.call(tb.drv.fields, "ISR")
    assert isr["stream_error"] == 0 and isr["cfg_rejected"] == 0, isr
    await tb.call(tb.drv.ack)                   # the sources not enabled (done, ready, ...) latch too
    await tb.call(tb.drv.clear_errors)
    assert await tb.call(tb.drv.read, "ERRORS") == 0
    await tb.cycles(4)
    assert int(dut.interrupt.value) == 0
    # a packet with a bad magic: rejected, counted, interrupt; the active model stays
    from qcsr.golden.config_packet import config_words

    bad = config_words(models()["bicubic"], w, h).copy()
    bad[0] ^= 1
    await tb.call(tb.drv.load_packet, bad)
    await tb.wait_irq(20_000)
    assert (await tb.call(tb.drv.fields, "ISR"))["cfg_rejected"] == 1
    assert (await tb.call(tb.drv.errors))["cfg_rejected"] == 1
    c = await tb.call(tb.drv.counters)
    assert c["PKTS_REJECTED"] == 1 and c["PKTS_ACCEPTED"] == 1 and c["WSEQ"] == 1, c
    # the resynchronised stream: the next frame is exact with the first model
    tb.video_out.clear()
    rgb2 = image(h, w, 8)
    await tb.send_frame(rgb2)
    got = await tb.recv_frame(h, w, sync=True)
    compare("after a bad frame and a rejected packet", got, golden(model, rgb2))


@cocotb.test()
async def dma_stream_and_fifo(dut):
    """The s_axis_cfg stream (a DMA) still configures the core; a packet from each source, one after the
    other, both counted; the second one's model is the one used."""
    tb = await start(dut)
    ms = models()
    h, w = min(MAX_H, 10), min(MAX_W, 14)
    from qcsr.golden.config_packet import config_words

    await tb.send_cfg(config_words(ms["bicubic"], w, h))
    await tb.cycles(3000)
    assert await tb.call(tb.drv.read, "PKTS_ACCEPTED") == 1
    await tb.call(tb.drv.load_model, ms["proposed"], w, h)
    await tb.cycles(3000)
    c = await tb.call(tb.drv.counters)
    assert c["PKTS_ACCEPTED"] == 2 and c["WSEQ"] == 2, c
    await tb.call(tb.drv.start)
    rgb = image(h, w, 9)
    await tb.send_frame(rgb)
    got = await tb.recv_frame(h, w)
    assert np.array_equal(got, golden(ms["proposed"], rgb))


@cocotb.test()
async def bus_errors(dut):
    """Unmapped, misaligned, read-only and write-only accesses: SLVERR, and no register changes."""
    tb = await start(dut)
    regs = tb.drv.regs
    readable = [n for n, r in regs.items() if all(f["sw"] in ("r", "rw") for f in r["fields"].values())]

    async def snapshot():
        return {n: int.from_bytes((await tb.raw_read(regs[n]["offset"])).data, "little") for n in readable}

    before = await snapshot()
    size = tb.drv.map["size"]
    ones = b"\xff\xff\xff\xff"
    cases = [("read", size, None), ("read", 0x7C, None), ("read", 0x02, None), ("read", 0x11, None),
             ("read", regs["CFG_DATA"]["offset"], None), ("read", regs["CFG_LAST"]["offset"], None),
             ("write", size, ones), ("write", 0x7C, ones), ("write", 0x01, b"\xff"), ("write", 0x06, b"\xff\xff"),
             ("write", regs["GIE"]["offset"] + 3, b"\xff"),
             ("write", regs["ID"]["offset"], ones), ("write", regs["STATUS"]["offset"], ones),
             ("write", regs["CFG_FIFO"]["offset"], ones)]
    for kind, off, data in cases:
        r = await (tb.raw_read(off) if kind == "read" else tb.raw_write(off, data))
        assert int(r.resp) == 2, f"{kind} at 0x{off:02x}: response {r.resp!r}, expected SLVERR"
    after = await snapshot()
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    # a mapped access still works, with byte enables honoured (only byte 0 of IER written)
    await tb.raw_write(regs["IER"]["offset"], b"\x3f")
    assert await tb.call(tb.drv.read, "IER") == 0x3F
    assert (await tb.call(tb.drv.fields, "CFG_FIFO"))["vacancy"] == 512, "a rejected write reached the FIFO"


# ---------------------------------------------------------------------------------------------- pytest


@pytest.mark.parametrize("fold", [pytest.param(1, marks=pytest.mark.slow), 2])
def test_qcsr_ip(fold):
    """The IP regression at FOLD 2 in CI (the qcsr_top regression covers FOLD 1, 2, 4 of the same core)."""
    from qcsr_tbutil import rtl_sources, run_cocotb

    params = {"MAX_W": 64, "MAX_H": 64, "FOLD": fold}
    env = {"QCSR_MAX_W": "64", "QCSR_MAX_H": "64", "QCSR_FOLD": str(fold)}
    run_cocotb("qcsr_ip", "test_qcsr_ip", rtl_sources(), params, extra_env=env)
