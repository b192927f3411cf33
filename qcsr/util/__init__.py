"""Shared utilities at the bottom of the layering: errors, atomic writes, progress bars, image I/O, metrics.

Nothing here imports any other qcsr package.
"""
