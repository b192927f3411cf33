"""Root pytest fixtures shared by tests/ and rtl_tb/: the golden test vectors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def vectors_dir(tmp_path_factory) -> Path:
    """Directory with index.json: $QCSR_VECTORS if set, else generated from the shipped models."""
    env = os.environ.get("QCSR_VECTORS")
    if env:
        return Path(env)
    from qcsr.resolver import build_default_vectors

    return build_default_vectors(tmp_path_factory.mktemp("vectors")).parent
