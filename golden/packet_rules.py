"""The configuration packet's acceptance rules: one table, enforced by the golden parser
(qcsr.golden.config_packet.parse_config_words) and implemented by both cores' loaders (hls/qcsr_cfg_loader.h
with the constants of hls/qcsr_params.h; rtl/qcsr_cfg_loader.sv). docs/ARCHITECTURE.md section 2 lists the same
table; tests/test_packet_rules.py checks the HLS constants against it, and `make fuzz` runs random and mutated
packets through the golden parser and both cores, which must agree on every verdict.

A packet is a sequence of 32-bit words (docs/ARCHITECTURE.md section 2): header, per layer a shift and its
weights, a 3-word trailer. Any integer-like sequence is accepted as input: a value in [-2^31, 0) is a word's
two's complement reading; a value outside [-2^31, 2^32) is not a 32-bit word (rejected). Every field is
read as a signed 32-bit value except the magic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

CFG_MAGIC = 0x51435352  # "QCSR"
CFG_VERSION = 1
HEADER_FIELDS = ("magic", "version", "width", "height", "F", "C", "N", "KH", "KW", "G", "weight_bits", "act_bits")
ARCH_FIELDS = ("F", "C", "N", "KH", "KW", "G")
TRAILER_FIELDS = ("yn_lshift", "res_lshift", "out_shift")


@dataclass(frozen=True)
class Rule:
    """A closed range [lo, hi] for a field, with the reason the cores need it."""

    field: str
    lo: int
    hi: int
    reason: str

    def holds(self, v: int) -> bool:
        return self.lo <= v <= self.hi


MIN_W = 2  # the line buffers' and the output reorder's least dependence distance (ARCHITECTURE.md 5.2)
MIN_H = 2  # the window and the bicubic need two rows; the flush counts rows past the frame
SHIFT = Rule("layer shift", -16, 48, "the requantizer's shift decode covers [-16, 48] (SPEC section 3)")
YN_LSHIFT = Rule("yn_lshift", 0, 18, "Y_N (24 bits) << yn_lshift fits the 48-bit residual sum")
RES_LSHIFT = Rule("res_lshift", 0, 30, "Y_c (14 bits) << res_lshift fits the 48-bit residual sum")
OUT_SHIFT = Rule("out_shift", 14, 32, "the residual's rounding shift: frac in [14, 32] as the model format allows")
TRAILER_RULES = (YN_LSHIFT, RES_LSHIFT, OUT_SHIFT)


def weight_rule(bits: int) -> Rule:
    return Rule("weight", -(1 << (bits - 1)), (1 << (bits - 1)) - 1, f"a weight is a signed {bits}-bit value")


@dataclass(frozen=True)
class Core:
    """What a core (or the golden model standing for one) accepts: its network shape, word widths, the layer
    sizes in packet order, and its largest frame."""

    arch: dict[str, int]
    weight_bits: int
    act_bits: int
    layer_sizes: tuple[int, ...]
    max_w: int = 1920
    max_h: int = 1080

    @property
    def length(self) -> int:
        return len(HEADER_FIELDS) + sum(1 + n for n in self.layer_sizes) + len(TRAILER_FIELDS)

    @classmethod
    def of_model(cls, model, max_w: int = 1920, max_h: int = 1080) -> Core:
        a = model.arch
        lay0 = model.layers[0]
        return cls({k: int(getattr(a, k)) for k in ARCH_FIELDS}, lay0.weight_format.bits, lay0.act_format.bits,
                   tuple(int(layer.weights.size) for layer in model.layers), max_w, max_h)


@dataclass(frozen=True)
class Violation:
    word: int  # index of the first offending word (the length rule: the packet's length)
    rule: str

    def __str__(self) -> str:
        return f"word {self.word}: {self.rule}"


def as_words(words: Iterable) -> tuple[list[int], Violation | None]:
    """Unsigned 32-bit words from any integer-like sequence; the first value that is not a 32-bit word."""
    out = []
    for i, v in enumerate(words):
        try:
            x = int(v)
        except (TypeError, ValueError, OverflowError):
            return out, Violation(i, f"not an integer: {v!r}")
        if not -(1 << 31) <= x < (1 << 32):
            return out, Violation(i, f"{x} does not fit a 32-bit word")
        out.append(x & 0xFFFFFFFF)
    return out, None


def signed32(w: int) -> int:
    return w - (1 << 32) if w >= 1 << 31 else w


def first_violation(words: Iterable, core: Core) -> Violation | None:
    """The first rule a packet breaks, in word order (None: accepted). The cores judge a packet at its TLAST
    (the last word of this sequence) and accept it only if no word broke a rule and its length is exact."""
    w, bad = as_words(words)
    if bad is not None:
        return bad
    n = len(w)
    for i, name in enumerate(HEADER_FIELDS):
        if i >= n:
            return Violation(n, f"packet of {n} words ends inside its header ({len(HEADER_FIELDS)} words)")
        v = signed32(w[i])
        if name == "magic" and w[i] != CFG_MAGIC:
            return Violation(i, f"magic 0x{w[i]:08x}, expected 0x{CFG_MAGIC:08x}")
        if name == "version" and v != CFG_VERSION:
            return Violation(i, f"version {v}, expected {CFG_VERSION}")
        if name == "width" and not MIN_W <= v <= core.max_w:
            return Violation(i, f"width {v} outside [{MIN_W}, {core.max_w}]")
        if name == "height" and not MIN_H <= v <= core.max_h:
            return Violation(i, f"height {v} outside [{MIN_H}, {core.max_h}]")
        if name in core.arch and v != core.arch[name]:
            return Violation(i, f"{name} = {v}, the core's is {core.arch[name]}")
        if name == "weight_bits" and v != core.weight_bits:
            return Violation(i, f"weight_bits = {v}, the core's is {core.weight_bits}")
        if name == "act_bits" and v != core.act_bits:
            return Violation(i, f"act_bits = {v}, the core's is {core.act_bits}")
    pos = len(HEADER_FIELDS)
    wr = weight_rule(core.weight_bits)
    for layer, size in enumerate(core.layer_sizes):
        for k in range(1 + size):
            if pos >= n:
                return Violation(n, f"packet of {n} words, expected {core.length}")
            v = signed32(w[pos])
            rule = SHIFT if k == 0 else wr
            if not rule.holds(v):
                what = "shift" if k == 0 else f"weight {k - 1}"
                return Violation(pos, f"layer {layer} {what} = {v} outside [{rule.lo}, {rule.hi}]")
            pos += 1
    for rule in TRAILER_RULES:
        if pos >= n:
            return Violation(n, f"packet of {n} words, expected {core.length}")
        v = signed32(w[pos])
        if not rule.holds(v):
            return Violation(pos, f"{rule.field} = {v} outside [{rule.lo}, {rule.hi}]")
        pos += 1
    if n != core.length:
        return Violation(n, f"packet of {n} words, expected {core.length}")
    return None


def rules_table(core: Core | None = None) -> list[tuple[str, str, str]]:
    """(words, rule, reason) rows for documentation (docs/ARCHITECTURE.md section 2)."""
    wb = core.weight_bits if core else 10
    wr = weight_rule(wb)
    return [
        ("0", f"magic = 0x{CFG_MAGIC:08x}", "identifies a qcsr packet"),
        ("1", f"version = {CFG_VERSION}", "the layout of this table"),
        ("2", f"width in [{MIN_W}, MAX_W]", "MAX_W: the build's line buffers; " + "2: the reorder's distance"),
        ("3", f"height in [{MIN_H}, MAX_H]", "MAX_H: the build's row counters"),
        ("4..9", "F, C, N, KH, KW, G = the build's", "the datapath's shape is compile-time"),
        ("10, 11", "weight_bits, act_bits = the build's (10, 14)", "the datapath's word widths"),
        ("per layer, first", f"shift in [{SHIFT.lo}, {SHIFT.hi}]", SHIFT.reason),
        ("per layer, weights", f"in [{wr.lo}, {wr.hi}]", wr.reason),
        ("last 3", f"yn_lshift in [{YN_LSHIFT.lo}, {YN_LSHIFT.hi}], res_lshift in [{RES_LSHIFT.lo}, "
         f"{RES_LSHIFT.hi}], out_shift in [{OUT_SHIFT.lo}, {OUT_SHIFT.hi}]",
         "the 48-bit residual sum and its rounding"),
        ("all", "exactly 12 + sum(1 + weights per layer) + 3 words (2,589 by default), TLAST on the last",
         "a packet is judged at its TLAST; one that breaks any rule is discarded whole"),
    ]
