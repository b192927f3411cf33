"""PyTorch side of qcsr: network, degradations, data, training and evaluation.

This package's __init__ imports nothing heavy so that numpy-only helpers (imaging, metrics) can be
used without torch.
"""
