"""PyTorch side of qcsr: network, degradations, data, training and evaluation.

This package's __init__ imports nothing heavy so that numpy-only helpers (imaging, metrics) can be
used without torch.
"""

from pathlib import Path

ZOO = Path(__file__).resolve().parent / "zoo"  # shipped float (.pt) and quantized (.q.json) models
