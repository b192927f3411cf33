"""The network's architecture, one type for every implementation: `Arch` (F, C, N, KH, KW, G, scale; validated)
and the geometry of its conv layers (`LayerSpec`, `Arch.layers()`)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_KERNEL, MAX_CHANNELS, MAX_BLOCKS = 15, 1024, 64


@dataclass(frozen=True)
class LayerSpec:
    """Geometry of one conv layer (no bias, zero padding, same spatial size)."""

    name: str
    kind: str  # "head", "dw", "pw" or "tail"
    in_channels: int
    out_channels: int
    kh: int
    kw: int
    groups: int
    relu: bool

    @property
    def weight_shape(self) -> tuple[int, int, int, int]:
        """Torch weight shape (out, in / groups, kh, kw)."""
        return (self.out_channels, self.in_channels // self.groups, self.kh, self.kw)

    @property
    def fan_in(self) -> int:
        """Products summed into one accumulator."""
        return self.in_channels // self.groups * self.kh * self.kw


@dataclass(frozen=True)
class Arch:
    """The network's architecture (SPEC section 2): what the PyTorch model, the quantized model, the CLI, the
    benches and the cores' configuration packet all take."""

    F: int = 3
    C: int = 16
    N: int = 6
    KH: int = 3
    KW: int = 3
    G: int = 4
    scale: int = 2

    def __post_init__(self) -> None:
        for name in ("F", "C", "N", "KH", "KW", "G", "scale"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValueError(f"{name} must be an integer, got {v!r}")
        for name in ("F", "KH", "KW"):
            v = getattr(self, name)
            if not 1 <= v <= MAX_KERNEL or v % 2 == 0:
                raise ValueError(f"{name} must be an odd kernel size in 1..{MAX_KERNEL}, got {v}")
        if self.scale != 2:
            raise ValueError(f"only scale 2 is supported, got {self.scale}")
        if not 1 <= self.C <= MAX_CHANNELS or not 0 <= self.N <= MAX_BLOCKS:
            raise ValueError(f"C={self.C} or N={self.N} out of range")
        if self.G < 1 or self.C % self.G or self.out_channels % self.G:
            raise ValueError(f"G={self.G} must divide C={self.C} and {self.out_channels}")

    @property
    def out_channels(self) -> int:
        """Channels before the pixel shuffle (scale^2)."""
        return self.scale**2

    @property
    def halo(self) -> int:
        """Receptive-field radius of the CNN in LR rows (= columns for square kernels)."""
        return self.F // 2 + self.N * (self.KH // 2)

    def layers(self) -> tuple[LayerSpec, ...]:
        """Conv layers in execution order: head, dw1, pw1, ..., dwN, pwN, tail."""
        c = self.C
        out = [LayerSpec("head", "head", 1, c, self.F, self.F, 1, True)]
        for i in range(1, self.N + 1):
            out.append(LayerSpec(f"dw{i}", "dw", c, c, self.KH, self.KW, c, False))
            out.append(LayerSpec(f"pw{i}", "pw", c, c, 1, 1, 1, True))
        out.append(LayerSpec("tail", "tail", c, self.out_channels, 1, 1, self.G, False))
        return tuple(out)

    def weight_count(self) -> int:
        """Weights of the whole network (no biases)."""
        c, out = self.C, self.out_channels
        return self.F * self.F * c + self.N * (self.KH * self.KW * c + c * c) + c * out // self.G

    def to_dict(self) -> dict[str, int]:
        """JSON-ready form."""
        return {k: getattr(self, k) for k in ("F", "C", "N", "KH", "KW", "G", "scale")}
