"""Re-parameterised training: linear branches that fold exactly into the deployed QCSRNet.

Every layer of QCSRNet is a bias-free convolution and nothing nonlinear sits inside a layer, so a
layer may be trained as a sum (or product) of linear branches and collapsed into one kernel of the
deployed shape (RepVGG / ECBSR parallel branches, SESR collapsible linear blocks):

* head and depthwise layers: KHxKW + 1xKW + KHx1 + 1x1 kernels, summed (zero-padded to KHxKW);
* pointwise layers: a direct CxC matrix plus an expanded product C -> E*C -> C (SESR), i.e.
  W = W_direct + W_b @ W_a;
* the grouped tail stays as it is (16 weights).

The forward pass folds the branches first and runs the plain network with the folded weights. By
linearity that is the same function and the same gradients as running the branches separately, at
the cost of the plain network. `fold()` returns the deployed QCSRNet (same weight count, no biases):
only folded networks are written as model files.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from qcsr.fixedpoint.arch import Arch
from qcsr.model.network import QCSRNet


def _pad_to(k: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    """Zero-pad a (.., h, w) kernel, centred, to (.., kh, kw)."""
    h, w = k.shape[-2:]
    dh, dw = (kh - h) // 2, (kw - w) // 2
    return F.pad(k, (dw, kw - w - dw, dh, kh - h - dh))


class KernelBranches(nn.Module):
    """A KHxKW kernel trained as KHxKW + 1xKW + KHx1 + 1x1 branches (the shapes that differ from KHxKW)."""

    def __init__(self, main: torch.Tensor) -> None:
        super().__init__()
        out, inp, kh, kw = main.shape
        self.kh, self.kw = kh, kw
        self.main = nn.Parameter(main.detach().clone())
        shapes = dict.fromkeys([(1, kw), (kh, 1), (1, 1)])
        shapes.pop((kh, kw), None)
        self.extra = nn.ParameterList(nn.Parameter(torch.zeros(out, inp, h, w)) for h, w in shapes)

    def fold(self) -> torch.Tensor:
        k = self.main
        for b in self.extra:
            k = k + _pad_to(b, self.kh, self.kw)
        return k


class ExpandedPointwise(nn.Module):
    """A CxC 1x1 layer trained as W_direct + W_b @ W_a with W_a: C -> E*C, W_b: E*C -> C."""

    def __init__(self, main: torch.Tensor, expand: int) -> None:
        super().__init__()
        c_out, c_in = main.shape[:2]
        self.direct = nn.Parameter(main.detach().clone())
        self.a = nn.Parameter(torch.empty(expand * c_in, c_in))
        nn.init.kaiming_uniform_(self.a, a=math.sqrt(5))
        self.b = nn.Parameter(torch.zeros(c_out, expand * c_in))  # zero: the product starts at zero

    def fold(self) -> torch.Tensor:
        return self.direct + (self.b @ self.a)[:, :, None, None]


class RepQCSRNet(nn.Module):
    """Training-time expansion of a QCSRNet; `fold()` gives the deployed network."""

    def __init__(self, cfg: Arch | None = None, expand: int = 4, init: QCSRNet | None = None) -> None:
        super().__init__()
        if expand < 1:
            raise ValueError(f"pointwise expansion must be >= 1, got {expand}")
        plain = init if init is not None else QCSRNet(cfg)
        self.cfg, self.expand = plain.cfg, expand
        self.head = KernelBranches(plain.head.weight)
        self.dw = nn.ModuleList(KernelBranches(d.weight) for d in plain.dw)
        self.pw = nn.ModuleList(ExpandedPointwise(p.weight, expand) for p in plain.pw)
        self.tail = nn.Parameter(plain.tail.weight.detach().clone())
        template = QCSRNet(self.cfg)
        for prm in template.parameters():
            prm.requires_grad_(False)
        object.__setattr__(self, "_template", template)  # not a submodule: its weights are never trained

    def folded_state(self) -> dict[str, torch.Tensor]:
        """The deployed network's weights as a function of the branches (differentiable)."""
        state = {"head.weight": self.head.fold(), "tail.weight": self.tail}
        for i, (dw, pw) in enumerate(zip(self.dw, self.pw, strict=True)):
            state[f"dw.{i}.weight"] = dw.fold()
            state[f"pw.{i}.weight"] = pw.fold()
        return state

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        state = self.folded_state()
        if x.is_contiguous(memory_format=torch.channels_last):  # keep the fast CPU depthwise path (train.py)
            state = {k: v.contiguous(memory_format=torch.channels_last) for k, v in state.items()}
        return functional_call(self._template, state, (x,), strict=False)

    @torch.no_grad()
    def fold(self) -> QCSRNet:
        """The deployed QCSRNet with the folded weights (a new module, in eval mode)."""
        net = QCSRNet(self.cfg).to(self.tail.dtype)
        net.load_state_dict({k: v.detach().clone().contiguous() for k, v in self.folded_state().items()})
        return net.eval()

    def describe(self) -> dict[str, object]:
        """What the expansion trains, for provenance."""
        trained = sum(p.numel() for p in self.parameters())
        return {"pointwise_expand": self.expand, "kernel_branches": "KHxKW+1xKW+KHx1+1x1 (head, depthwise)",
                "trained_parameters": trained, "deployed_weights": self.cfg.weight_count()}  # fmt: skip
