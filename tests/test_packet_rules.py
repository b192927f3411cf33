"""The configuration packet's acceptance rules (golden/packet_rules.py): the golden parser rejects what the
cores reject, naming the word; the HLS constants and docs/ARCHITECTURE.md carry the same table."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from qcsr.golden.config_packet import config_words, packet_accepted, parse_config_words
from qcsr.golden.packet_rules import (
    MIN_H,
    MIN_W,
    OUT_SHIFT,
    RES_LSHIFT,
    SHIFT,
    YN_LSHIFT,
    Core,
    first_violation,
    rules_table,
)
from qcsr.util.errors import QcsrError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def model():
    from qcsr.resolver import open_model

    return open_model("qcsr_x2_proposed").quant()


@pytest.fixture(scope="module")
def good(model):
    return [int(x) for x in config_words(model, 64, 48)]


def mutate(words, i, v):
    w = list(words)
    w[i] = v
    return w


def test_good_packet_and_signed_ints(model, good):
    assert packet_accepted(good, model) == (True, "")
    signed = [x - (1 << 32) if x >= 1 << 31 else x for x in good]       # plain Python ints, negatives
    assert parse_config_words(signed, model).width == 64
    assert parse_config_words(np.asarray(good, dtype=np.uint32), model).height == 48


# (description, word index or a callable of the core giving it, new value, the rule's words in the message)
def _cases(core: Core):
    first_w = 12 + 1                       # layer 0, weight 0
    trailer = core.length - 3
    return [
        ("magic", 0, 0x51435353, "magic"),
        ("version", 1, 2, "version"),
        ("width 0", 2, 0, "width 0"),
        ("width 1", 2, 1, "width 1"),
        ("width MAX_W + 1", 2, core.max_w + 1, "width 1921"),
        ("height -1", 3, -1, "height -1"),
        ("height MAX_H + 1", 3, core.max_h + 1, "height 1081"),
        ("C", 5, 8, "C = 8"),
        ("weight_bits", 10, 8, "weight_bits = 8"),
        ("act_bits", 11, 16, "act_bits = 16"),
        ("shift 49", 12, SHIFT.hi + 1, "shift = 49"),
        ("shift -17", 12, SHIFT.lo - 1, "shift = -17"),
        ("weight 512", first_w, 512, "weight 0 = 512"),
        ("weight -513", first_w, -513, "weight 0 = -513"),
        ("yn_lshift 19", trailer, YN_LSHIFT.hi + 1, "yn_lshift = 19"),
        ("res_lshift -1", trailer + 1, RES_LSHIFT.lo - 1, "res_lshift = -1"),
        ("out_shift 13", trailer + 2, OUT_SHIFT.lo - 1, "out_shift = 13"),
        ("out_shift 33", trailer + 2, OUT_SHIFT.hi + 1, "out_shift = 33"),
        ("not 32-bit", 7, 1 << 32, "does not fit a 32-bit word"),
        ("not 32-bit negative", 7, -(1 << 31) - 1, "does not fit a 32-bit word"),
    ]


def test_every_rule_rejects(model, good):
    core = Core.of_model(model)
    for name, i, v, text in _cases(core):
        bad = first_violation(mutate(good, i, v), core)
        assert bad is not None and bad.word == i and text in bad.rule, (name, bad)
        with pytest.raises(QcsrError, match=re.escape(f"word {i}")):
            parse_config_words(mutate(good, i, v), model)


def test_length_rules(model, good):
    core = Core.of_model(model)
    assert "ends inside its header" in str(first_violation(good[:5], core))
    assert f"expected {core.length}" in str(first_violation(good[:-1], core))
    assert f"expected {core.length}" in str(first_violation(good + [0], core))
    assert first_violation([], core).word == 0


def test_range_ends_are_accepted(model, good):
    core = Core.of_model(model)
    t = core.length - 3
    for i, v in [(2, MIN_W), (2, core.max_w), (3, MIN_H), (3, core.max_h), (12, SHIFT.lo), (12, SHIFT.hi),
                 (13, -512), (13, 511), (t, YN_LSHIFT.hi), (t + 1, RES_LSHIFT.hi), (t + 2, OUT_SHIFT.lo),
                 (t + 2, OUT_SHIFT.hi)]:
        assert first_violation(mutate(good, i, v), core) is None, (i, v)


def test_hls_constants_are_the_table():
    text = (ROOT / "hls" / "qcsr_params.h").read_text()

    def const(name):
        m = re.search(rf"static const int {name} = (-?\w+);", text)
        assert m, name
        v = m.group(1)
        if not re.fullmatch(r"-?\d+", v):          # a macro default: #define QCSR_MIN_W 2
            v = re.search(rf"#define {v}\s+(-?\d+)", text).group(1)
        return int(v)

    assert (const("MIN_W"), const("MIN_H")) == (MIN_W, MIN_H)
    assert (const("SHIFT_MIN"), const("SHIFT_MAX")) == (SHIFT.lo, SHIFT.hi)
    assert const("YN_LSHIFT_MAX") == YN_LSHIFT.hi and YN_LSHIFT.lo == 0
    assert const("RES_LSHIFT_MAX") == RES_LSHIFT.hi and RES_LSHIFT.lo == 0
    assert (const("OUT_SHIFT_MIN"), const("OUT_SHIFT_MAX")) == (OUT_SHIFT.lo, OUT_SHIFT.hi)


def test_architecture_doc_lists_the_table():
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    for row in rules_table():
        assert "| " + " | ".join(row) + " |" in doc, row
