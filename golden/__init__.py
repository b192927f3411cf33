"""Pure-NumPy integer golden engine (no torch)."""
