"""rtl_tb: cocotb testbenches of the RTL core, run through pytest and cocotb_tools.runner (Verilator).

Each module has its own folder with a test_<module>.py holding the cocotb tests and the pytest
wrapper that builds the module with the parameters of the case (one build directory per case under
build/rtl_tb/). The shared helpers live in qcsr_tbutil.py next to this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
