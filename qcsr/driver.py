"""Driver for the qcsr IP core (rtl/qcsr_ip.sv) over its AXI4-Lite control port.

The driver talks to any object with ``read(offset) -> int`` and ``write(offset, value)`` (32-bit words at
byte offsets): PYNQ's ``MMIO`` on a board, or :class:`qcsr.sim_bus.CocotbAxiLiteBus` in the cocotb
regression, which runs this same code. Register offsets and fields come from ``qcsr/regmap.json``, which
``make regs`` generates from the SystemRDL source (rtl/regs/qcsr_regs.rdl): no offset is written here.

    from pynq import MMIO
    from qcsr.driver import Qcsr
    core = Qcsr(MMIO(0xA000_0000, 0x1000))
    core.check_build()                          # ID, version and build parameters
    core.load_model("qcsr_x2_proposed", 1920, 1080)
    core.start(auto_restart=True)               # free-running on video
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Protocol

from qcsr.util.errors import QcsrError

MAGIC = 0x51435352  # "QCSR"
IRQ_SOURCES = ("done", "ready", "stream_error", "cfg_rejected", "cfg_switched", "cfg_overrun")
COUNTERS = ("WSEQ", "FRAMES_DONE", "FRAMES_ABANDONED", "PKTS_ACCEPTED", "PKTS_REJECTED")


class Bus(Protocol):
    """What the driver needs from a bus: 32-bit reads and writes at byte offsets."""

    def read(self, offset: int) -> int: ...

    def write(self, offset: int, value: int) -> None: ...


def load_regmap(core: str = "rtl") -> dict:
    """The generated register map (offsets, fields, access): qcsr/regmap.json for the RTL IP (qcsr_ip), or
    qcsr/regmap_hls.json for the Vitis HLS core (CTRL/GIE/IER/ISR and STATUS only, as UG1399 predicts)."""
    name = {"rtl": "regmap.json", "hls": "regmap_hls.json"}.get(core)
    if name is None:
        raise QcsrError(f"unknown core {core!r} (rtl or hls)")
    return json.loads(resources.files("qcsr").joinpath(name).read_text())


class Qcsr:
    """One qcsr core behind `bus`."""

    def __init__(self, bus: Bus, regmap: dict | None = None):
        self.bus = bus
        self.map = regmap or load_regmap()
        self.regs = self.map["registers"]

    # ------------------------------------------------------------------ registers by name
    def offset(self, reg: str) -> int:
        try:
            return int(self.regs[reg]["offset"])
        except KeyError:
            raise QcsrError(f"no register {reg!r} on this core's map ({self.map['name']}: "
                            f"{', '.join(self.regs)})") from None

    def read(self, reg: str) -> int:
        return int(self.bus.read(self.offset(reg))) & 0xFFFFFFFF

    def write(self, reg: str, value: int) -> None:
        self.bus.write(self.offset(reg), int(value) & 0xFFFFFFFF)

    def fields(self, reg: str, value: int | None = None) -> dict[str, int]:
        """The fields of `reg` (read now, or decoded from `value`) by name."""
        v = self.read(reg) if value is None else value
        return {n: (v >> f["lsb"]) & ((1 << f["width"]) - 1) for n, f in self.regs[reg]["fields"].items()}

    def mask(self, reg: str, names: Iterable[str]) -> int:
        """The bit mask of the named fields of `reg`."""
        m = 0
        for n in names:
            f = self.regs[reg]["fields"].get(n)
            if f is None:
                raise QcsrError(f"register {reg} has no field {n!r} (fields: {', '.join(self.regs[reg]['fields'])})")
            m |= ((1 << f["width"]) - 1) << f["lsb"]
        return m

    # ------------------------------------------------------------------ identification
    def build(self) -> dict[str, int]:
        """Build parameters: FOLD, network widths, word widths, largest frame."""
        b0, b1, ms = self.fields("BUILD0"), self.fields("BUILD1"), self.fields("MAX_SIZE")
        return {"FOLD": b0["fold"], "C": b0["c"], "N": b0["n"], "G": b0["g"], "F": b1["f"], "KH": b1["kh"],
                "KW": b1["kw"], "weight_bits": b1["wb"], "act_bits": b1["ab_m8"] + 8,
                "MAX_W": ms["width"], "MAX_H": ms["height"]}

    def check_build(self, model=None) -> dict[str, int]:
        """Check the ID register (and, given a model, that the build's network is the model's)."""
        ident = self.read("ID")
        if ident != MAGIC:
            raise QcsrError(f"no qcsr core at this address: ID reads 0x{ident:08x}, expected 0x{MAGIC:08x}")
        b = self.build()
        if model is not None:
            q = _quant(model)
            want = {"F": q.arch.F, "C": q.arch.C, "N": q.arch.N, "KH": q.arch.KH, "KW": q.arch.KW, "G": q.arch.G,
                    "weight_bits": q.layers[0].weight_format.bits, "act_bits": q.layers[0].act_format.bits}
            bad = {k: (b[k], v) for k, v in want.items() if b[k] != v}
            if bad:
                raise QcsrError("the core was built for another network: "
                                + ", ".join(f"{k} core {c} model {m}" for k, (c, m) in bad.items()))
        return b

    # ------------------------------------------------------------------ configuration
    def load_packet(self, words: Iterable[int], timeout_s: float = 5.0) -> None:
        """Write one configuration packet through CFG_DATA / CFG_LAST, never more words than CFG_FIFO has
        room for (a word written to a full FIFO is dropped and flagged, cfg_overrun)."""
        from qcsr.golden.packet_rules import as_words

        w, bad = as_words(words)           # any integer-like sequence, signed values as two's complement
        if bad is not None:
            raise QcsrError(f"configuration packet: {bad}")
        if not w:
            raise QcsrError("empty configuration packet")
        data, last = self.offset("CFG_DATA"), self.offset("CFG_LAST")
        i, room = 0, 0
        deadline = time.monotonic() + timeout_s
        while i < len(w):
            if room == 0:
                room = self.fields("CFG_FIFO")["vacancy"]
                if room == 0:
                    if time.monotonic() > deadline:
                        raise QcsrError(f"configuration FIFO full for {timeout_s} s at word {i} of {len(w)} "
                                        "(a packet pending until the next frame boundary?)")
                    continue
            self.bus.write(last if i == len(w) - 1 else data, w[i])
            i += 1
            room -= 1

    def load_model(self, model, width: int, height: int, timeout_s: float = 5.0) -> None:
        """Build the packet of `model` (a shipped name, a .q.json path or a QuantModel) for a
        width x height frame and load it; it becomes active at the next frame boundary."""
        from qcsr.golden.config_packet import config_words

        b = self.check_build(model)
        if not (2 <= width <= b["MAX_W"] and 2 <= height <= b["MAX_H"]):
            raise QcsrError(f"frame {width}x{height} outside the core's 2x2..{b['MAX_W']}x{b['MAX_H']}")
        self.load_packet(config_words(_quant(model), width, height), timeout_s)

    # ------------------------------------------------------------------ control
    def start(self, auto_restart: bool = False) -> None:
        """Admit the next frame (ap_start), or every frame from now on (auto_restart)."""
        ctrl = self.mask("CTRL", ["ap_start"]) | (self.mask("CTRL", ["auto_restart"]) if auto_restart else 0)
        self.write("CTRL", ctrl)

    def stop(self) -> None:
        """Clear auto_restart: the frame in progress finishes, no further frame is admitted."""
        self.write("CTRL", 0)

    def ctrl(self) -> dict[str, int]:
        """CTRL's fields (reading clears ap_done and ap_ready, as in a Vitis kernel)."""
        return self.fields("CTRL")

    def enable_interrupts(self, sources: Iterable[str] = ("done",), global_enable: bool = True) -> None:
        self.write("IER", self.mask("IER", sources))
        self.write("GIE", 1 if global_enable else 0)

    def pending_interrupts(self) -> list[str]:
        return [n for n, v in self.fields("ISR").items() if v]

    def ack(self, sources: Iterable[str] | None = None) -> list[str]:
        """Clear ISR bits (toggle on write: only bits that are set are written); returns those cleared."""
        isr = self.read("ISR")
        want = isr if sources is None else isr & self.mask("ISR", sources)
        if want:
            self.write("ISR", want)
        return [n for n, f in self.regs["ISR"]["fields"].items() if want >> f["lsb"] & 1]

    def wait_done(self, timeout_s: float = 10.0, irq: Callable[[float], bool] | None = None,
                  poll_s: float = 0.0) -> None:
        """Wait for a frame to finish: on `irq` (a callable that blocks until the interrupt line rises or
        the timeout passes, returning False then), then acknowledge ISR.done; or by polling CTRL.ap_done."""
        if irq is not None:
            if not irq(timeout_s):
                raise QcsrError(f"no interrupt within {timeout_s} s (ISR 0x{self.read('ISR'):02x})")
            if "done" not in self.ack(["done"]):
                raise QcsrError(f"interrupt without done (ISR sources: {', '.join(self.pending_interrupts())})")
            return
        deadline = time.monotonic() + timeout_s
        while not self.ctrl()["ap_done"]:
            if time.monotonic() > deadline:
                raise QcsrError(f"frame not done within {timeout_s} s")
            if poll_s:
                time.sleep(poll_s)

    # ------------------------------------------------------------------ status
    def counters(self) -> dict[str, int]:
        return {n: self.read(n) for n in COUNTERS}

    def clear_counters(self) -> None:
        """Zero the frame and packet counters (CLEAR.counters); WSEQ keeps naming the active weight set."""
        self.write("CLEAR", self.mask("CLEAR", ["counters"]))

    def errors(self) -> dict[str, int]:
        """Sticky error flags by name."""
        return self.fields("ERRORS")

    def clear_errors(self) -> None:
        self.write("ERRORS", self.read("ERRORS"))

    def active_size(self) -> tuple[int, int]:
        f = self.fields("ACTIVE_SIZE")
        return f["width"], f["height"]


def _quant(model):
    """A QuantModel from a QuantModel, a shipped model name or a .q.json path."""
    if hasattr(model, "layers") and hasattr(model, "arch"):
        return model
    from qcsr.resolver import open_model

    return open_model(model).quant()
