"""Fake-quant QCSRNet (QAT) and its bit-exact integer twin, with calibration and export.

QuantQCSRNet wraps a float QCSRNet and runs it in one of three modes:

* "float": the plain float network (luma in [0, 1] in and out).
* "fake":  training mode. Weights and activations pass through fixedpoint.format.fake_quant with a
           straight-through gradient; float32 convs (F.conv2d), so gradients flow for QAT.
* "exact": the SPEC section 3 integer pipeline on int64 tensors. Every conv is an explicit sum of
           integer products (elementwise int64 multiply-adds, no float anywhere), every
           requantization is fixedpoint.format.requantize, so the result is integer arithmetic by
           construction and equals the NumPy golden engine bit for bit.

Because the network has no biases and only ReLU it is positively homogeneous: the float weights
applied to raw integer luma Y (0..255, 0 fraction bits) give the residual directly in luma units.
All modes therefore run the CNN on Y = 255 * x; "fake" and "exact" return y_hr / 255.

Accumulator width: see fixedpoint.quant_model (fan_in * max|a| * max|w|); with the default formats
every accumulator fits 28 signed bits, so int64 is exact with a wide margin (the manifest loader
and `check_formats` reject formats whose accumulators could approach 2^62).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from qcsr.fixedpoint.arch import Arch, LayerSpec
from qcsr.fixedpoint.bicubic import PHASE_TAPS_5
from qcsr.fixedpoint.colour import rgb_to_y
from qcsr.fixedpoint.format import FixedFormat, align, fake_quant, quantize, requantize, round_half_up
from qcsr.fixedpoint.quant_model import (
    BICUBIC_FRAC,
    FRAC_MAX,
    FRAC_MIN,
    INPUT_FORMAT,
    OUTPUT_FORMAT,
    SHIFT_MAX,
    SHIFT_MIN,
    QuantFormats,
    QuantLayer,
    QuantModel,
    build_quant_model,
)
from qcsr.model.network import QCSRNet

Mode = Literal["float", "fake", "exact"]
MODES = ("float", "fake", "exact")


def quant_arch(cfg: Arch) -> Arch:
    """The torch-free architecture record of a float model's Arch."""
    return Arch(**cfg.to_dict())


def _bicubic_kernel() -> torch.Tensor:
    """Integer 5x5 phase kernels (4, 1, 5, 5) of the x2 bicubic, 14 fraction bits, channel 2*dy+dx."""
    t = torch.tensor(PHASE_TAPS_5, dtype=torch.int64)
    k = torch.stack([torch.outer(t[dy], t[dx]) for dy in range(2) for dx in range(2)])
    return k.unsqueeze(1)


def conv_exact(xp: torch.Tensor, w: torch.Tensor, groups: int) -> torch.Tensor:
    """Valid grouped conv of an already padded int64 tensor: an explicit sum of integer products."""
    if xp.is_floating_point() or w.is_floating_point():
        raise TypeError("conv_exact works on integer tensors only")
    b, _, hp, wp = xp.shape
    cout, cin_g, kh, kw = w.shape
    h, wd = hp - kh + 1, wp - kw + 1
    cout_g = cout // groups
    out = torch.zeros((b, cout, h, wd), dtype=torch.int64)
    o = torch.arange(cout)
    for j in range(cin_g):
        xj = xp.index_select(1, (o // cout_g) * cin_g + j)  # input channel read by each output channel
        for dy in range(kh):
            for dx in range(kw):
                out += w[:, j, dy, dx].view(1, cout, 1, 1) * xj[:, :, dy : dy + h, dx : dx + wd]
    return out


def _replicate_pad(x: torch.Tensor, p: int) -> torch.Tensor:
    """Edge-replicating padding by index clamping (works for integer dtypes)."""
    h, w = x.shape[-2:]
    iy = torch.arange(-p, h + p).clamp(0, h - 1)
    ix = torch.arange(-p, w + p).clamp(0, w - 1)
    return x.index_select(-2, iy).index_select(-1, ix)


def bicubic_raw_exact(y: torch.Tensor) -> torch.Tensor:
    """x2 bicubic of int64 luma (B, 1, H, W) -> Y_N (B, 1, 2H, 2W) with 14 fraction bits, exact."""
    raw = conv_exact(_replicate_pad(y.long(), 2), _bicubic_kernel(), 1)
    return F.pixel_shuffle(raw, 2)


class QuantQCSRNet(nn.Module):
    """QCSRNet with per-layer power-of-two formats: float, fake-quant (QAT) or exact integer forward."""

    def __init__(self, net: QCSRNet, formats: QuantFormats, mode: Mode = "fake") -> None:
        super().__init__()
        self.net = net
        self.arch = quant_arch(net.cfg)
        self.specs: tuple[LayerSpec, ...] = self.arch.layers()
        self.formats = formats
        self.mode = mode

    @property
    def mode(self) -> Mode:
        """Current forward mode."""
        return self._mode

    @mode.setter
    def mode(self, value: Mode) -> None:
        if value not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {value!r}")
        self._mode = value

    @property
    def formats(self) -> QuantFormats:
        """Per-layer fraction bits and widths."""
        return self._formats

    @formats.setter
    def formats(self, formats: QuantFormats) -> None:
        check_formats(self.arch, formats)
        self._formats = formats
        self.weight_formats = formats.weight_formats()
        self.act_formats = formats.act_formats(self.specs)

    def convs(self) -> list[nn.Conv2d]:
        """The float conv layers in execution order."""
        return self.net.layers()

    def integer_weights(self) -> list[torch.Tensor]:
        """Every layer's weights quantized to its weight format (int64, torch weight shape)."""
        return [
            quantize(c.weight.detach(), f) for c, f in zip(self.convs(), self.weight_formats, strict=True)
        ]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Luma on the [0, 1] scale (B, 1, H, W) -> HR luma on the [0, 1] scale, per the mode."""
        if self.mode == "float":
            return self.net(x)
        if self.mode == "fake":
            return self.run_fake(x * 255.0)["y_hr"] / 255.0
        y = quantize(x.detach() * 255.0, INPUT_FORMAT)
        return self.run_exact(y)["y_hr"].to(x.dtype) / 255.0

    def run_fake(self, y: torch.Tensor, quantized: bool = True) -> dict[str, torch.Tensor]:
        """Float forward on luma units (B, 1, H, W): every named tensor as real values (luma units).

        With `quantized` (fake mode) every tensor is the real value of its integer code; without it
        this is the float network itself (ReLU applied explicitly), used for calibration.
        """
        out: dict[str, torch.Tensor] = {}
        h = fake_quant(y, INPUT_FORMAT) if quantized else y
        out["input"] = h
        for conv, spec, wf, af in zip(
            self.convs(), self.specs, self.weight_formats, self.act_formats, strict=True
        ):
            w = fake_quant(conv.weight, wf, clip_grad=False) if quantized else conv.weight
            a = F.conv2d(h, w, padding=(spec.kh // 2, spec.kw // 2), groups=spec.groups)
            if quantized:
                h = fake_quant(a, af)  # unsigned formats clip at 0: this is the ReLU
            else:
                h = F.relu(a) if spec.relu else a
            out[spec.name] = h
        out["residual_hr"] = F.pixel_shuffle(h, 2)
        out["bicubic"] = self.net.bicubic(out["input"])
        y_hr = out["bicubic"] + out["residual_hr"]
        out["y_hr"] = fake_quant(y_hr, OUTPUT_FORMAT) if quantized else y_hr
        return out

    @torch.no_grad()
    def run_exact(
        self, y: torch.Tensor | np.ndarray, weights: Sequence[torch.Tensor] | None = None
    ) -> dict[str, torch.Tensor]:
        """Integer forward of uint8 luma (B, 1, H, W) or (H, W): every named tensor as int64 codes.

        Names: input, head, dw1, pw1, ..., dwN, pwN, tail (LR, C or 4 channels), residual_hr
        (pixel-shuffled tail, fa_tail fraction bits), bicubic (Y_N, 14 fraction bits), y_hr (0..255).
        """
        q = torch.as_tensor(np.asarray(y)) if isinstance(y, np.ndarray) else y
        if q.is_floating_point():
            raise TypeError("run_exact expects integer luma codes, not floats (use forward for [0, 1] input)")
        while q.dim() < 4:
            q = q.unsqueeze(0)
        q = q.long()
        if q.shape[1] != 1 or q.min() < INPUT_FORMAT.min_int or q.max() > INPUT_FORMAT.max_int:
            raise ValueError("run_exact expects (B, 1, H, W) luma codes in 0..255")
        ws = list(weights) if weights is not None else self.integer_weights()
        out: dict[str, torch.Tensor] = {"input": q}
        in_frac = INPUT_FORMAT.frac
        for spec, w, wf, af in zip(self.specs, ws, self.weight_formats, self.act_formats, strict=True):
            ph, pw = spec.kh // 2, spec.kw // 2
            acc = conv_exact(F.pad(q, (pw, pw, ph, ph)), w.long(), spec.groups)
            q = requantize(acc, in_frac + wf.frac, af)
            in_frac = af.frac
            out[spec.name] = q
        fa_tail = self.act_formats[-1].frac
        res = F.pixel_shuffle(q, 2)
        yn = bicubic_raw_exact(out["input"])
        frac = max(BICUBIC_FRAC, fa_tail)
        total = align(yn, BICUBIC_FRAC, frac) + align(res, fa_tail, frac)
        out["residual_hr"] = res
        out["bicubic"] = yn
        out["y_hr"] = requantize(total, frac, OUTPUT_FORMAT)
        return out

    @classmethod
    def from_quant_model(cls, qm: QuantModel, mode: Mode = "exact") -> QuantQCSRNet:
        """A QuantQCSRNet whose float weights are exactly the exported integers times 2^-fw."""
        net = QCSRNet(Arch(**qm.arch.to_dict()))
        with torch.no_grad():
            for conv, layer in zip(net.layers(), qm.layers, strict=True):
                q = torch.from_numpy(layer.weights).double() * layer.weight_format.step
                conv.weight.copy_(q.float())  # |q| < 2^16, 2^-fw normal: exact in float32
        return cls(net.eval(), qm.formats, mode)

    def export(
        self, provenance: Mapping[str, Any] | None = None, metrics: Mapping[str, Any] | None = None
    ) -> QuantModel:
        """The validated integer model (SPEC section 4) of the current weights and formats."""
        ws = [w.numpy() for w in self.integer_weights()]
        return build_quant_model(self.arch, ws, self.formats, provenance, metrics)


def export_quant_model(
    qnet: QuantQCSRNet,
    provenance: Mapping[str, Any] | None = None,
    metrics: Mapping[str, Any] | None = None,
) -> QuantModel:
    """The validated integer model of a QuantQCSRNet (same as qnet.export)."""
    return qnet.export(provenance, metrics)


def check_formats(arch: Arch, formats: QuantFormats) -> None:
    """ValueError unless the formats are exportable (ranges, shifts, accumulator width)."""
    specs = arch.layers()
    if len(formats.fw) != len(specs):
        raise ValueError(f"formats have {len(formats.fw)} layers, the arch has {len(specs)}")
    prev = INPUT_FORMAT
    for spec, wf, af in zip(specs, formats.weight_formats(), formats.act_formats(specs), strict=True):
        for what, f in (("fw", wf.frac), ("fa", af.frac)):
            if not FRAC_MIN <= f <= FRAC_MAX:
                raise ValueError(f"{spec.name}: {what} = {f} outside [{FRAC_MIN}, {FRAC_MAX}]")
        layer = QuantLayer(spec, np.zeros(0, np.int64), wf, af, prev)
        if not SHIFT_MIN <= layer.shift <= SHIFT_MAX:
            raise ValueError(f"{spec.name}: shift {layer.shift} outside [{SHIFT_MIN}, {SHIFT_MAX}]")
        if layer.requant_bound >= 1 << 62:
            raise ValueError(f"{spec.name}: accumulator could overflow int64")
        prev = af


# ----------------------------------------------------------------------------------------------
# calibration


def weight_frac_for(w: np.ndarray, bits: int = 10) -> int:
    """Largest fw in [FRAC_MIN, FRAC_MAX] such that every weight quantizes without saturating."""
    w = np.asarray(w, dtype=np.float64)
    ext = np.array([w.min(initial=0.0), w.max(initial=0.0)])
    fmt = FixedFormat(bits, 0, True)
    for f in range(FRAC_MAX, FRAC_MIN - 1, -1):
        # quantization is monotone, so the extremes decide whether anything saturates
        lo, hi = round_half_up(ext * 2.0**f)
        if lo >= fmt.min_int and hi <= fmt.max_int:
            return f
    return FRAC_MIN


def act_frac_for(peak: float, bits: int = 14, signed: bool = False) -> int:
    """Largest fa in [FRAC_MIN, FRAC_MAX] whose format holds magnitudes up to `peak` without saturating."""
    limit = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1
    for f in range(FRAC_MAX, FRAC_MIN - 1, -1):
        if round_half_up(np.float64(peak) * 2.0**f) <= limit:
            return f
    return FRAC_MIN


def _luma_tensor(img: np.ndarray | torch.Tensor) -> torch.Tensor:
    """uint8 luma (HxW), RGB (HxWx3) or a (B, 1, H, W) tensor in luma units -> float64 (B, 1, H, W)."""
    if isinstance(img, torch.Tensor):
        t = img.double()
    else:
        a = np.asarray(img)
        if a.ndim == 3:
            a = rgb_to_y(a)
        t = torch.from_numpy(a.astype(np.float64))
    while t.dim() < 4:
        t = t.unsqueeze(0)
    return t


@torch.no_grad()
def activation_peaks(
    net: QCSRNet, images: Iterable[np.ndarray | torch.Tensor], percentile: float = 100.0
) -> list[float]:
    """Per layer, the `percentile` of |activation| of the float network on the images (luma units)."""
    probe = QuantQCSRNet(net, default_formats(net.cfg), "float")
    specs = probe.specs
    samples: list[list[np.ndarray]] = [[] for _ in specs]
    net64 = QCSRNet(net.cfg).double()
    net64.load_state_dict(net.state_dict())
    probe.net = net64
    for img in images:
        trace = probe.run_fake(_luma_tensor(img), quantized=False)
        for i, spec in enumerate(specs):
            samples[i].append(trace[spec.name].abs().flatten().numpy())
    if not samples[0]:
        raise ValueError("calibration needs at least one image")
    return [float(np.percentile(np.concatenate(s), percentile)) for s in samples]


def default_formats(cfg: Arch | None = None, weight_bits: int = 10, act_bits: int = 14) -> QuantFormats:
    """Placeholder formats (fw = 8, fa = 4 everywhere) for a model that has not been calibrated yet."""
    n = len(quant_arch(cfg or Arch()).layers())
    return QuantFormats((8,) * n, (4,) * n, weight_bits, act_bits)


def calibrate_formats(
    net: QCSRNet,
    images: Iterable[np.ndarray | torch.Tensor],
    weight_bits: int = 10,
    act_bits: int = 14,
    percentile: float = 100.0,
) -> QuantFormats:
    """Choose per-layer fw from max |w| and fa from activation statistics (a starting point for a search).

    fw is the largest value whose weights fit `weight_bits` without saturation; fa is the largest
    value that holds the `percentile` of |activation| on the calibration images, then clamped so
    that every requantization shift stays within [SHIFT_MIN, SHIFT_MAX].
    """
    specs = quant_arch(net.cfg).layers()
    fw = [weight_frac_for(c.weight.detach().numpy(), weight_bits) for c in net.layers()]
    peaks = activation_peaks(net, images, percentile)
    fa: list[int] = []
    in_frac = INPUT_FORMAT.frac
    for spec, f_w, peak in zip(specs, fw, peaks, strict=True):
        f = act_frac_for(peak, act_bits, signed=not spec.relu)
        f = min(max(f, in_frac + f_w - SHIFT_MAX), in_frac + f_w - SHIFT_MIN, FRAC_MAX)
        f = max(f, FRAC_MIN)
        fa.append(f)
        in_frac = f
    return QuantFormats(tuple(fw), tuple(fa), weight_bits, act_bits)


def calibration_images() -> list[np.ndarray]:
    """A few small uint8 luma crops from scikit-image's bundled test images (no download)."""
    from skimage import data

    cam = data.camera()
    ast = rgb_to_y(data.astronaut())
    cof = rgb_to_y(data.coffee())
    return [cam[96:224, 160:288], ast[40:168, 160:288], cof[100:228, 200:328]]


def calibrate(net: QCSRNet, images: Iterable[np.ndarray] | None = None, **kwargs: Any) -> QuantQCSRNet:
    """A QuantQCSRNet (fake mode) with formats calibrated on `images` (default: calibration_images())."""
    formats = calibrate_formats(net, images if images is not None else calibration_images(), **kwargs)
    return QuantQCSRNet(net, formats, "fake")
