"""Packaging and layering: one `qcsr` import namespace, and imports that never climb the layers."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# folder -> import name (pyproject.toml [tool.setuptools.package-dir])
PACKAGE_DIRS = {"qcsr": "qcsr", "model": "qcsr.model", "golden": "qcsr.golden", "fixedpoint": "qcsr.fixedpoint"}
# bottom-up: a module may import its own layer and the layers below it, never one above
LAYERS = ("qcsr.util", "qcsr.fixedpoint", "qcsr.golden", "qcsr.model", "qcsr")


def layer_of(module: str) -> int:
    for i, prefix in enumerate(LAYERS):
        if module == prefix or module.startswith(prefix + "."):
            return i
    raise ValueError(module)


def project_modules() -> dict[str, Path]:
    out = {}
    for folder, name in PACKAGE_DIRS.items():
        for f in sorted((ROOT / folder).rglob("*.py")):
            rel = f.relative_to(ROOT / folder).with_suffix("")
            parts = [p for p in rel.parts if p != "__init__"]
            out[".".join([name, *parts])] = f
    return out


def imported_modules(path: Path) -> set[str]:
    """Every module an import statement names, at module level and inside functions alike."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_every_project_import_uses_the_qcsr_namespace() -> None:
    bare = {"model", "golden", "fixedpoint"}
    files = [*project_modules().values(), *ROOT.glob("tests/*.py"), *ROOT.glob("rtl_tb/**/*.py"),
             *ROOT.glob("rtl/**/*.py"), *ROOT.glob("hls/*.py"), ROOT / "conftest.py"]  # fmt: skip
    bad = [(f.relative_to(ROOT), m) for f in files for m in imported_modules(f) if m.split(".")[0] in bare]
    assert not bad, f"bare imports (use qcsr.<name>): {bad}"


def test_no_import_climbs_a_layer() -> None:
    climbs = []
    for mod, path in project_modules().items():
        own = layer_of(mod)
        for imp in imported_modules(path):
            if imp.split(".")[0] == "qcsr" and layer_of(imp) > own:
                climbs.append(f"{mod} ({LAYERS[own]}) imports {imp} ({LAYERS[layer_of(imp)]})")
    assert not climbs, "\n".join(climbs)


def test_layer_check_sees_a_climb(tmp_path) -> None:
    """The walker above finds imports inside functions too (the check can fail)."""
    f = tmp_path / "m.py"
    f.write_text("def f():\n    from qcsr.pipeline import image_upscaler\n    import qcsr.cli\n")
    assert imported_modules(f) == {"qcsr.pipeline", "qcsr.cli"}
    assert layer_of("qcsr.pipeline") > layer_of("qcsr.model.train") > layer_of("qcsr.golden.engine")


def test_package_root_imports_nothing() -> None:
    assert imported_modules(ROOT / "qcsr" / "__init__.py") == set()


def test_ruff_bans_bare_imports(tmp_path) -> None:
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.is_file():
        pytest.skip("ruff not installed in this environment")
    bad = ROOT / "qcsr" / "_banned_import_probe.py"
    bad.write_text("from model.network import QCSRNet\nimport golden.engine\n\n__all__ = ['QCSRNet', 'golden']\n")
    try:
        r = subprocess.run([str(ruff), "check", "--no-cache", str(bad)], cwd=ROOT, capture_output=True, text=True)
    finally:
        bad.unlink()
    assert r.returncode != 0 and r.stdout.count("TID251") == 2, r.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel of this checkout's files (tracked or not ignored), built from a copy: setuptools' build/
    folder would otherwise keep modules that no longer exist in the source."""
    out, src = tmp_path_factory.mktemp("wheel"), tmp_path_factory.mktemp("src")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src)],
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Warning" not in r.stderr and "warning" not in r.stderr.lower(), r.stderr
    (whl,) = out.glob("qcsr-*.whl")
    return whl


def test_wheel_holds_qcsr_only(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"qcsr", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}, tops
    for must in ("qcsr/cli.py", "qcsr/model/network.py", "qcsr/golden/engine.py", "qcsr/fixedpoint/format.py",
                 "qcsr/util/errors.py", "qcsr/model/zoo/qcsr_x2_proposed.q.json", "qcsr/model/zoo/qcsr_x2_bicubic.pt"):
        assert must in names, must
    assert any(n.startswith("qcsr/golden/_simd") and n.endswith(".so") for n in names), "the kernels' extension"


def test_wheel_runs_outside_the_repository(wheel: Path, tmp_path: Path, camera) -> None:
    """A fresh environment, `pip install <wheel>`, then `qcsr upscale` and `qcsr golden --no-vectors` from
    elsewhere. The wheel's dependencies come from this environment's site-packages through a .pth file
    (no download; pip installs the wheel with --no-deps); qcsr itself must be the wheel's copy."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py, qcsr_bin = env_dir / "bin" / "python", env_dir / "bin" / "qcsr"
    r = subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                       capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    here = [p for p in sys.path if p.endswith("site-packages")]
    Path(site, "zz_deps.pth").write_text("\n".join(here) + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    from PIL import Image

    Image.fromarray(camera[:40, :48]).save(work / "in.png")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([str(py), "-c", "import qcsr.model; print(qcsr.model.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True)  # fmt: skip
    assert where.returncode == 0 and where.stdout.startswith(site), where.stdout + where.stderr
    r = subprocess.run([str(qcsr_bin), "upscale", "in.png", "out.png"], cwd=work, env=env, capture_output=True,
                       text=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert Image.open(work / "out.png").size == (96, 80)
    r = subprocess.run([str(qcsr_bin), "golden", "--no-vectors", "--data", str(work / "none"), "--out", "g"],
                       cwd=work, env=env, capture_output=True, text=True, timeout=600)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (work / "g" / "results.md").is_file() and len(list((work / "g" / "default").glob("*_x2.png"))) == 5
