"""qcsr: quantized CNN super-resolution, from PyTorch training to a bit-exact FPGA core."""

__version__ = "0.1.0"
