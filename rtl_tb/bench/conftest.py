"""The tests here run the RTL throughput bench and the video co-simulation of rtl/bench/."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "rtl" / "bench"))
