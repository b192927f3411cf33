"""CI's bounded sample of `make fuzz` for model files and media (qcsr/fuzz_files.py): a few hundred mutated
`.q.json` / `.pt` files and images / videos through the same code path, no traceback, hang, crash, partial
output or fast != golden; and the harness itself sees each kind of failure."""

from __future__ import annotations

import pytest

from qcsr.fuzz_files import FAILURES, Runner, failures, fuzz_media, fuzz_models


@pytest.fixture(scope="module")
def runner():
    r = Runner(timeout_s=20)
    yield r
    r.close()


def _total(res: dict) -> dict:
    out: dict = {}
    for row in res["rows"].values():
        for k, n in row.items():
            out[k] = out.get(k, 0) + n
    return out


def test_model_files(runner, tmp_path):
    res = fuzz_models(240, seed=11, work=tmp_path, runner=runner)
    t = _total(res)
    assert sum(t.values()) == 240
    assert failures(res) == 0, res["examples"]
    # both outcomes occur, from both file kinds (else the sample proves nothing)
    assert t.get("accepted", 0) >= 20 and t.get("refused", 0) >= 100, t
    assert any(k.startswith(".pt") for k in res["rows"]) and any(k.startswith(".q.json") for k in res["rows"])


def test_media(runner, tmp_path):
    res = fuzz_media(120, seed=11, work=tmp_path, runner=runner)
    t = _total(res)
    assert sum(t.values()) == 120
    assert failures(res) == 0, res["examples"]
    assert t.get("upscaled", 0) >= 10 and t.get("refused", 0) >= 30, t
    kinds = {k.split()[0] for k in res["rows"]}
    assert {"png", "mkv", "mp4", "webm"} <= kinds, kinds


@pytest.mark.parametrize("probe,outcome", [("raise", "traceback"), ("hang", "hang"), ("crash", "crash")])
def test_harness_sees_failures(tmp_path, probe, outcome):
    """A case that raises, never returns, or kills its worker is counted as that failure, and the next case
    still runs."""
    r = Runner(timeout_s=2)
    try:
        got = r.run("probe", tmp_path, [probe])
        assert got.split(":", 1)[0] == outcome and outcome in FAILURES, got
        assert probe != "raise" or "ValueError" in got, got
        assert r.run("probe", tmp_path, []) == "refused"
    finally:
        r.close()
