"""hls4ml (io_stream, Vitis backend, C simulation by g++) on the exported QONNX CNN gives the golden engine's
tail codes, np.array_equal (the whole vector set: `make interop` -> docs/interop.md)."""

from __future__ import annotations

import numpy as np
import pytest

from qcsr.fixedpoint.colour import luma_u8
from qcsr.golden.engine import GoldenEngine
from qcsr.resolver import shipped_models

pytest.importorskip("hls4ml")
pytest.importorskip("qonnx")
from qcsr.hls4ml_peer import convert, generated_summary, tail_codes  # noqa: E402


@pytest.mark.slow
@pytest.mark.parametrize("key", ["proposed", "stress"])
def test_hls4ml_csim_equals_golden(key, tmp_path):
    from skimage import data

    qm = shipped_models()[key]
    y = luma_u8(data.astronaut()[200:218, 180:204])
    hm = convert(qm, *y.shape, tmp_path / "prj")
    assert np.array_equal(tail_codes(hm, y, qm), GoldenEngine(qm).cnn(y))
    s = generated_summary(tmp_path / "prj")
    assert "depthwise_conv_2d_cl" in s["processes"] and s["dataflow"] == "yes"
