"""Fixed-point formats and the integer building blocks shared by training, golden model and hardware."""
