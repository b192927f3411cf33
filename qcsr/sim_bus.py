"""The driver's bus in simulation: cocotbext-axi's AxiLiteMaster behind blocking read/write.

The driver (qcsr.driver) is plain blocking code, as it runs on a board over PYNQ's MMIO. In a cocotb test it
runs unchanged in a bridge thread: ``await bridge(fn)(...)`` starts it, and every register access here is a
``resume``-converted coroutine that blocks that thread until the AXI4-Lite transaction has completed in the
simulator (cocotb 2 `cocotb.task.bridge` / `resume`).

    bus = CocotbAxiLiteBus(AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axi_control"), dut.ap_clk, ...))
    core = Qcsr(bus)
    await bridge(core.load_model)("qcsr_x2_proposed", 64, 48)
"""

from __future__ import annotations

from qcsr.util.errors import QcsrError


class AxiResponseError(QcsrError):
    """The core answered an access with SLVERR / DECERR."""


class CocotbAxiLiteBus:
    """Blocking 32-bit read/write at byte offsets over a cocotbext-axi AxiLiteMaster (bridge threads only)."""

    def __init__(self, master, base: int = 0):
        from cocotb.task import resume

        self.master = master
        self.base = base
        self.read = resume(self._read)
        self.write = resume(self._write)

    async def _read(self, offset: int) -> int:
        r = await self.master.read(self.base + offset, 4)
        if int(r.resp) != 0:
            raise AxiResponseError(f"read at 0x{offset:02x}: AXI response {r.resp.name}")
        return int.from_bytes(r.data, "little")

    async def _write(self, offset: int, value: int) -> None:
        r = await self.master.write(self.base + offset, int(value).to_bytes(4, "little"))
        if int(r.resp) != 0:
            raise AxiResponseError(f"write at 0x{offset:02x}: AXI response {r.resp.name}")
