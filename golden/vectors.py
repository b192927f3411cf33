"""Test vectors for the HLS and RTL testbenches: raw little-endian binaries plus a JSON index.

Layout (docs/ARCHITECTURE.md, "Test vectors"): `<dir>/index.json` lists every vector with its size,
model and files (`index.txt` holds the same list as plain lines for the C++ testbench); each file is
a C-order array (`dtype`, `shape` in the index). Every vector has `input_rgb` (H, W, 3 uint8), `cfg`
(uint32 config packet words) and `output_rgb` (2H, 2W, 3 uint8); small vectors also carry every
intermediate tensor of the golden engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qcsr.fixedpoint.quant_model import QuantModel
from qcsr.golden.config_packet import config_words
from qcsr.golden.engine import GoldenEngine

VECTORS_FORMAT = "qcsr-vectors"
VECTORS_VERSION = 1
TRACE_MAX_PIXELS = 64 * 64  # intermediates are written for LR frames up to this many pixels
STORAGE = {  # trace name -> on-disk dtype (every value fits: 14-bit activations, 8-bit images)
    "ycbcr_lr": np.uint8, "input": np.uint8, "residual_hr": np.int16, "bicubic": np.int32,
    "y_hr": np.uint8, "ycbcr_hr": np.uint8, "rgb_hr": np.uint8,
}  # fmt: skip


@dataclass(frozen=True)
class Vector:
    name: str
    kind: str  # "real" or "adversarial"
    model: str  # key into the models dict
    rgb: np.ndarray  # (H, W, 3) uint8 LR input


def adversarial_inputs(seed: int = 7) -> dict[str, np.ndarray]:
    """Inputs that stress saturation, borders and sizes (all RGB uint8)."""
    rng = np.random.default_rng(seed)

    def grey(a: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(a, np.uint8)[..., None], 3, axis=2)

    yy, xx = np.mgrid[:16, :24]
    out = {
        "zeros_16x12": np.zeros((12, 16, 3), np.uint8),
        "ones255_16x12": np.full((12, 16, 3), 255, np.uint8),
        "checker1_24x16": grey(((yy + xx) % 2) * 255),
        "checker2_24x16": grey((((yy // 2) + (xx // 2)) % 2) * 255),
        "saltpepper_24x16": grey(rng.integers(0, 2, (16, 24)) * 255),
        "noise_rgb_20x14": rng.integers(0, 256, (14, 20, 3), dtype=np.uint8),
        "vline_17x9": grey(np.where(np.arange(17)[None, :] == 8, 255, 0) * np.ones((9, 1))),
        "hline_12x11": grey(np.where(np.arange(11)[:, None] == 0, 255, 0) * np.ones((1, 12))),
        "edge_col0_8x8": grey(np.where(np.arange(8)[None, :] == 0, 255, 0) * np.ones((8, 1))),
        "ramp_32x4": grey(np.tile(np.arange(32) * 8, (4, 1))),
        "primaries_6x3": np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 0], [0, 255, 255], [255, 0, 255]]]
                                  * 3, np.uint8),  # fmt: skip
        "odd_7x5": rng.integers(0, 256, (5, 7, 3), dtype=np.uint8),
        "odd_9x3": rng.integers(0, 256, (3, 9, 3), dtype=np.uint8),
        "min_2x2": np.array([[[0, 0, 0], [255, 255, 255]], [[255, 0, 0], [0, 0, 255]]], np.uint8),
        "tall_2x9": rng.integers(0, 256, (9, 2, 3), dtype=np.uint8),
    }
    return out


def real_inputs(sizes: Iterable[tuple[str, int, int, int, int]] | None = None) -> dict[str, np.ndarray]:
    """LR crops of scikit-image sample images (name, image, top, left, height, width)."""
    from skimage import data as skdata

    from qcsr.util.imaging import bicubic_downscale, modcrop

    crops = sizes or (
        ("astronaut", 60, 90, 32, 48),
        ("camera", 40, 60, 30, 40),
        ("coffee", 50, 80, 17, 33),
        ("chelsea", 30, 60, 48, 64),
    )
    out = {}
    for name, top, left, h, w in crops:
        img = getattr(skdata, name)()
        img = img if img.ndim == 3 else np.repeat(img[..., None], 3, axis=2)
        lr = bicubic_downscale(modcrop(img))  # a real LR frame, as the evaluation protocol makes it
        out[f"{name}_{w}x{h}"] = np.ascontiguousarray(lr[top : top + h, left : left + w])
    return out


def _save(arr: np.ndarray, path: Path, dtype: type) -> dict:
    a = np.asarray(arr)
    cast = a.astype(dtype)
    if not np.array_equal(cast, a):
        raise ValueError(f"{path.name}: values do not fit {np.dtype(dtype).name}")
    path.write_bytes(cast.astype(np.dtype(dtype).newbyteorder("<")).tobytes())
    return {"file": path.name, "dtype": np.dtype(dtype).name, "shape": list(a.shape)}


def write_vectors(out: Path, models: dict[str, QuantModel], vectors: list[Vector]) -> Path:
    """Run the golden engine on every vector and write binaries plus index.json; returns the index path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    engines = {k: GoldenEngine(m) for k, m in models.items()}
    index: dict = {"format": VECTORS_FORMAT, "version": VECTORS_VERSION, "models": {}, "vectors": []}
    for key, m in models.items():
        index["models"][key] = {
            "source": m.provenance.get("source", key),
            "formats": {"fw": list(m.formats.fw), "fa": list(m.formats.fa)},
        }
    for v in vectors:
        d = out / v.name
        d.mkdir(exist_ok=True)
        h, w = v.rgb.shape[:2]
        trace: dict[str, np.ndarray] = {}
        small = h * w <= TRACE_MAX_PIXELS
        rgb_hr = engines[v.model].upscale(v.rgb, trace if small else None)
        files = {
            "input_rgb": _save(v.rgb, d / "input_rgb.bin", np.uint8),
            "cfg": _save(config_words(models[v.model], w, h), d / "cfg.bin", np.uint32),
            "output_rgb": _save(rgb_hr, d / "output_rgb.bin", np.uint8),
        }
        if small:
            for name, arr in trace.items():
                if name == "rgb_hr":
                    continue
                files[name] = _save(arr, d / f"{name}.bin", STORAGE.get(name, np.int16))
                if name in {lay.name for lay in models[v.model].layers}:
                    files[name]["frac"] = models[v.model].layer(name).act_format.frac
        index["vectors"].append({"name": v.name, "kind": v.kind, "model": v.model, "width": w, "height": h,
                                 "files": files})  # fmt: skip
    path = out / "index.json"
    path.write_text(json.dumps(index, indent=1) + "\n")
    (out / "index.txt").write_text(flat_index(index))
    return path


def flat_index(index: dict) -> str:
    """index.json as whitespace-separated lines for the C++ testbench, which reads it with no parser.

    Line 1 is `qcsr-vectors <version>`; then per vector `vector <name> <kind> <model> <width> <height>
    <nfiles>` followed by `nfiles` lines `file <tensor> <file> <dtype> <ndim> <dim>...`. Names never hold
    whitespace (they are identifiers and file names written above).
    """
    lines = [f"{index['format']} {index['version']}"]
    for v in index["vectors"]:
        lines.append(f"vector {v['name']} {v['kind']} {v['model']} {v['width']} {v['height']} {len(v['files'])}")
        for tensor, e in v["files"].items():
            lines.append(f"file {tensor} {e['file']} {e['dtype']} {len(e['shape'])} {' '.join(map(str, e['shape']))}")
    return "\n".join(lines) + "\n"


def read_index(path: str | Path) -> dict:
    """A vector set's index.json (`path`: the folder or the file), checked to be this format and version."""
    p = Path(path)
    p = p / "index.json" if p.is_dir() or p.suffix != ".json" else p
    index = json.loads(p.read_text())
    if index.get("format") != VECTORS_FORMAT or index.get("version") != VECTORS_VERSION:
        raise ValueError(f"{p}: not a {VECTORS_FORMAT} v{VECTORS_VERSION} index")
    return index


def vector_model(index: dict, entry: dict, index_dir: str | Path) -> QuantModel:
    """A vector's QuantModel, rebuilt from its cfg packet and the index's formats (no model file needed)."""
    from qcsr.golden.config_packet import model_from_words

    fm = index["models"][entry["model"]]["formats"]
    words = read_array(Path(index_dir) / entry["name"], entry["files"]["cfg"])
    return model_from_words(words, fm["fw"], fm["fa"], f"vector {entry['name']}")


def read_array(index_dir: Path, entry: dict) -> np.ndarray:
    """Load one file entry of index.json back into an array."""
    raw = (Path(index_dir) / entry["file"]).read_bytes()
    return np.frombuffer(raw, dtype=np.dtype(entry["dtype"]).newbyteorder("<")).reshape(entry["shape"])


def stress_model(model: QuantModel) -> QuantModel:
    """The same integer weights with 3 more activation fraction bits per layer: activations saturate."""
    from qcsr.fixedpoint.quant_model import FRAC_MAX, QuantFormats, build_quant_model

    f = model.formats
    formats = QuantFormats(f.fw, tuple(min(a + 3, FRAC_MAX) for a in f.fa), f.weight_bits, f.act_bits)
    prov = {**model.provenance, "source": "stress: " + str(model.provenance.get("source", "")) + " with fa + 3"}
    return build_quant_model(model.arch, [lay.weights for lay in model.layers], formats, prov, {})


def default_vector_set(models: dict[str, QuantModel]) -> list[Vector]:
    """The standard vectors: real crops and adversarial inputs (proposed model), a weight-switch pair
    (bicubic model) and saturation vectors (stress model)."""
    real, adv = real_inputs(), adversarial_inputs()
    vs = [Vector(k, "real", "proposed", v) for k, v in real.items()]
    vs += [Vector(k, "adversarial", "proposed", v) for k, v in adv.items()]
    if "bicubic" in models:
        vs += [Vector(f"bicubicmodel_{k}", "real", "bicubic", v) for k, v in list(real.items())[:2]]
    if "stress" in models:
        stress = ("checker1_24x16", "saltpepper_24x16", "noise_rgb_20x14", "ones255_16x12", "odd_7x5")
        vs += [Vector(f"stress_{k}", "adversarial", "stress", adv[k]) for k in stress]
    return vs
