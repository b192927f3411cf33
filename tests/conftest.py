"""Shared fixtures: the dataset folder (tests that need it skip when absent) and small images."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("QCSR_DATA", ROOT.parent / "shared" / "datasets"))


@pytest.fixture(scope="session")
def datasets() -> Path:
    if not (DATA / "Set5").is_dir():
        pytest.skip(f"benchmark datasets not found at {DATA}")
    return DATA


@pytest.fixture(scope="session")
def camera() -> np.ndarray:
    from skimage import data

    return data.camera()


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()
