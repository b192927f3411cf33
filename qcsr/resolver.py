"""The one place that turns a `--model` argument into a loaded model.

A model argument is a baseline name (`bicubic`, `bicubic-int`), a shipped model's name (its files
`<name>.pt` and `<name>.q.json` ship in `qcsr/model/zoo`), or a path to a float (`.pt`) or quantized
(`.q.json`) model file. `open_model` resolves it once; the returned `ModelRef` loads each file on
first use and keeps it, so a job that runs several engines over one model reads every file once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcsr.fixedpoint.model_file import load_quant_model
from qcsr.fixedpoint.quant_model import QuantModel
from qcsr.golden.vectors import default_vector_set, stress_model, write_vectors
from qcsr.model import ZOO
from qcsr.util.errors import QcsrError

if TYPE_CHECKING:  # torch stays unimported for the golden engine
    from qcsr.model.network import QCSRNet

BASELINES = ("bicubic", "bicubic-int")
SHIPPED = ("qcsr_x2_proposed", "qcsr_x2_bicubic")


@dataclass
class ModelRef:
    """A resolved model argument: a baseline, or up to two files of one model (float and quantized)."""

    name: str
    float_path: Path | None = None
    quant_path: Path | None = None
    _quant: QuantModel | None = field(default=None, repr=False)
    _net: Any = field(default=None, repr=False)
    _provenance: dict | None = field(default=None, repr=False)

    @property
    def is_baseline(self) -> bool:
        return self.name in BASELINES and self.float_path is None and self.quant_path is None

    def default_engine(self) -> str:
        """`fast` (the golden integers, compiled) for quantized models and zoo names, `float` for float model
        files and baselines."""
        return "fast" if self.quant_path is not None else "float"

    def quant(self) -> QuantModel:
        """The quantized model (SPEC section 4 file), loaded once."""
        if self._quant is None:
            if self.quant_path is None:
                what = "a float model" if self.float_path is not None else "not a model"
                raise QcsrError(f"engine needs a quantized model (.q.json), got {what}: {self.name}")
            self._quant = load_quant_model(self.quant_path)
        return self._quant

    def float_net(self) -> QCSRNet:
        """The float network: the `.pt` file, or the dequantized weights of the `.q.json` file."""
        if self._net is None:
            if self.float_path is not None:
                from qcsr.model.checkpoint import load_model

                self._net, self._provenance = load_model(self.float_path)
            else:
                from qcsr.model.quant_net import QuantQCSRNet

                self._net = QuantQCSRNet.from_quant_model(self.quant(), "float").net
        return self._net

    def float_provenance(self) -> dict:
        """Provenance of the float `.pt` file (training recipe, data, iterations)."""
        self.float_net()
        return dict(self._provenance or {})


def open_model(model: str | os.PathLike | ModelRef) -> ModelRef:
    """Resolve a model argument; QcsrError naming it when it is neither a baseline, a file nor a zoo name."""
    if isinstance(model, ModelRef):
        return model
    text = str(model)
    if text in BASELINES:
        return ModelRef(text)
    p = Path(text)
    if p.is_file():
        if p.name.endswith(".json"):
            return ModelRef(text, quant_path=p)
        return ModelRef(text, float_path=p)
    stem = text.removesuffix(".pt").removesuffix(".q.json")
    pt, qj = ZOO / f"{stem}.pt", ZOO / f"{stem}.q.json"
    if pt.is_file() or qj.is_file():
        return ModelRef(text, float_path=pt if pt.is_file() else None, quant_path=qj if qj.is_file() else None)
    raise QcsrError(f"model not found: {text} (not a file, a shipped model or a baseline)")


def shipped_models() -> dict[str, QuantModel]:
    """The vector models of the zoo: proposed, bicubic, and the saturating variant of proposed."""
    models = {k: open_model(f"qcsr_x2_{k}").quant() for k in ("proposed", "bicubic")}
    models["stress"] = stress_model(models["proposed"])
    return models


def vector_models(model: str | ModelRef) -> dict[str, QuantModel]:
    """Vector models for `qcsr golden`: `proposed` = the model given, `bicubic` = the shipped bicubic-trained
    model (weight-switch vectors, when it ships), `stress` = the saturating variant of `proposed`."""
    main = open_model(model).quant()
    models = {"proposed": main, "stress": stress_model(main)}
    alt = ZOO / "qcsr_x2_bicubic.q.json"
    if alt.is_file():
        models["bicubic"] = open_model("qcsr_x2_bicubic").quant()
    return models


def build_default_vectors(out: str | os.PathLike, models: dict[str, QuantModel] | None = None) -> Path:
    """Write the standard vector set (default: the shipped models) under `out`; returns index.json."""
    models = models or shipped_models()
    return write_vectors(Path(out), models, default_vector_set(models))
