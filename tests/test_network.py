import numpy as np
import pytest
import torch
from PIL import Image
from scipy.ndimage import maximum_filter1d

from qcsr.fixedpoint.arch import Arch
from qcsr.fixedpoint.bicubic import upscale2x_axis, upscale2x_raw, upscale2x_u8
from qcsr.model.network import FixedBicubic2x, QCSRNet, count_weights, regroup_tail


def test_default_network_has_2560_weights_and_no_biases():
    net = QCSRNet()
    assert count_weights(net) == 2560 == net.cfg.weight_count()
    assert all(conv.bias is None for conv in net.layers())
    assert not [n for n, _ in net.named_parameters() if "bias" in n]
    assert len(net.layers()) == 1 + 2 * 6 + 1


@pytest.mark.parametrize(
    "cfg",
    [
        Arch(),
        Arch(G=1),
        Arch(N=7, KH=1, KW=5, G=1),
        Arch(C=8, N=3, F=5),
        Arch(KH=5, KW=1),
    ],
)
def test_weight_count_formula_matches_parameters(cfg):
    net = QCSRNet(cfg)
    assert count_weights(net) == cfg.weight_count()
    y = net(torch.rand(1, 1, 7, 5))
    assert y.shape == (1, 1, 14, 10)


def test_spec_variant_horizontal_only_has_2560_weights():
    assert Arch(N=7, KH=1, KW=5, G=1).weight_count() == 2560


@pytest.mark.parametrize("bad", [dict(F=2), dict(KH=0), dict(G=3), dict(scale=3)])
def test_bad_architecture_is_rejected(bad):
    with pytest.raises(ValueError):
        Arch(**bad)


def test_grouped_tail_reads_its_own_four_channels():
    net = QCSRNet()
    w = net.tail.weight
    assert w.shape == (4, 4, 1, 1)  # output p sees channels 4p..4p+3 only


def test_network_is_positively_homogeneous():
    torch.manual_seed(0)
    net = QCSRNet().double()
    x = torch.rand(1, 1, 9, 11, dtype=torch.float64)
    torch.testing.assert_close(net(3.7 * x), 3.7 * net(x), rtol=1e-12, atol=1e-12)


def test_zero_weights_give_pure_bicubic():
    net = QCSRNet().double()
    for p in net.parameters():
        torch.nn.init.zeros_(p)
    x = torch.rand(1, 1, 6, 8, dtype=torch.float64)
    torch.testing.assert_close(net(x), net.bicubic(x))


def test_fixed_bicubic_conv_equals_integer_separable_filter(camera):
    lr = camera[100:131, 200:247]  # odd sizes
    x = torch.from_numpy(lr.astype(np.float64))[None, None]
    got = FixedBicubic2x().double()(x)[0, 0].numpy() * 2**14
    np.testing.assert_array_equal(np.rint(got).astype(np.int64), upscale2x_raw(lr))
    assert np.abs(got - upscale2x_raw(lr)).max() < 1e-6


def test_fixed_bicubic_matches_pil_bicubic_on_interior(camera):
    lr = camera[::2, ::2][:100, :120]
    pil = np.asarray(Image.fromarray(lr).resize((240, 200), Image.BICUBIC)).astype(int)
    ours = upscale2x_u8(lr).astype(int)
    # PIL rounds and clips to 8 bits between its horizontal and vertical passes; we keep full
    # precision. Compare where PIL's horizontal pass did not clip (rows i-2..i+2 of each output).
    horiz = upscale2x_axis(lr, 1)
    clipped = ((horiz < 0) | (horiz > 255 << 7)).astype(int)
    near = np.repeat(maximum_filter1d(clipped, 5, axis=0), 2, axis=0).astype(bool)
    interior = np.zeros_like(near)
    interior[4:-4, 4:-4] = True
    keep = interior & ~near
    assert keep.mean() > 0.9
    assert np.abs(ours - pil)[keep].max() <= 1
    assert np.abs(ours - pil)[keep].mean() < 0.3
    # and it is not PyTorch's a = -0.75 bicubic, which differs by more
    t = torch.nn.functional.interpolate(
        torch.from_numpy(lr.astype(np.float32))[None, None], scale_factor=2, mode="bicubic", align_corners=False
    )[0, 0].numpy()
    assert np.abs(np.clip(np.floor(t + 0.5), 0, 255) - pil)[keep].max() > 1


def test_fixed_bicubic_replicates_borders():
    lr = np.full((3, 4), 77, dtype=np.uint8)
    np.testing.assert_array_equal(upscale2x_u8(lr), np.full((6, 8), 77))


def test_regroup_tail_keeps_the_function():
    torch.manual_seed(0)
    net = QCSRNet()
    with torch.no_grad():
        net.tail.weight.normal_()
    wide = regroup_tail(net, 1)
    assert wide.cfg.G == 1 and count_weights(wide) == 2608
    x = torch.rand(1, 1, 12, 10)
    torch.testing.assert_close(wide(x), net(x), rtol=0, atol=1e-6)
    torch.testing.assert_close(regroup_tail(net, 2)(x), net(x), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="must divide"):
        regroup_tail(wide, 4)
