"""Re-parameterised training: the expanded network folds exactly into the deployed architecture."""

from __future__ import annotations

import pytest
import torch

from qcsr.fixedpoint.arch import Arch
from qcsr.model.network import QCSRNet, count_weights
from qcsr.model.reparam import RepQCSRNet


def randomise(rep: RepQCSRNet, seed: int = 0) -> RepQCSRNet:
    """Non-zero values in every branch (a freshly built expansion has zero extra branches)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in rep.parameters():
            p.copy_(0.3 * torch.randn(p.shape, generator=g))
    return rep


def branch_forward(rep: RepQCSRNet, x: torch.Tensor) -> torch.Tensor:
    """The expanded network evaluated branch by branch (no folding), as a reference."""
    import torch.nn.functional as F

    cfg = rep.cfg

    def kernels(kb, h, groups):
        y = F.conv2d(h, kb.main, padding=(kb.kh // 2, kb.kw // 2), groups=groups)
        for b in kb.extra:
            y = y + F.conv2d(h, b, padding=(b.shape[2] // 2, b.shape[3] // 2), groups=groups)
        return y

    h = F.relu(kernels(rep.head, x, 1))
    for dw, pw in zip(rep.dw, rep.pw, strict=True):
        d = kernels(dw, h, cfg.C)
        wide = F.conv2d(d, pw.a[:, :, None, None])
        h = F.relu(F.conv2d(d, pw.direct) + F.conv2d(wide, pw.b[:, :, None, None]))
    res = F.conv2d(h, rep.tail, groups=cfg.G)
    return rep._template.bicubic(x) + F.pixel_shuffle(res, 2)


@pytest.mark.parametrize("cfg", [Arch(), Arch(C=8, N=2, KH=1, KW=5, G=1), Arch(F=5, KH=3, KW=5)])
@pytest.mark.parametrize("expand", [1, 4])
def test_folded_equals_expanded(cfg: Arch, expand: int) -> None:
    rep = randomise(RepQCSRNet(cfg, expand=expand)).double()
    x = torch.rand(2, 1, 13, 17, dtype=torch.float64)
    with torch.no_grad():
        ref = branch_forward(rep, x)
        assert torch.allclose(rep(x), ref, atol=1e-10, rtol=0)
        net = rep.fold().double()
        assert torch.allclose(net(x), ref, atol=1e-10, rtol=0)
    assert isinstance(net, QCSRNet) and net.cfg == cfg
    assert count_weights(net) == cfg.weight_count()
    assert all(not n.endswith("bias") for n, _ in net.named_parameters())
    assert count_weights(rep) > count_weights(net)  # the expansion really trains more parameters


def test_expansion_starts_as_its_plain_network() -> None:
    plain = QCSRNet().eval()
    rep = RepQCSRNet(expand=4, init=plain)
    x = torch.rand(1, 1, 9, 11)
    with torch.no_grad():
        assert torch.equal(rep.fold().head.weight, plain.head.weight)
        assert torch.allclose(rep(x), plain(x), atol=1e-6)


def test_gradients_reach_every_branch() -> None:
    rep = randomise(RepQCSRNet(Arch(C=4, N=1), expand=2))
    rep(torch.rand(1, 1, 8, 8)).square().mean().backward()
    for name, p in rep.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert all(p.grad is None for p in rep._template.parameters())  # the template is never trained


def test_bad_expansion() -> None:
    with pytest.raises(ValueError, match="expansion"):
        RepQCSRNet(expand=0)
