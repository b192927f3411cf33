"""The `qcsr` command line: train, eval, upscale, golden (and later quantize, bench)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from qcsr.errors import QcsrError

DEFAULT_DATA = Path("../shared/datasets")


def cmd_train(a: argparse.Namespace) -> None:
    from model.network import ArchConfig
    from model.train import train

    arch = ArchConfig(F=a.F, C=a.C, N=a.N, KH=a.KH, KW=a.KW, G=a.G)
    prov = train(a.degradation, a.preset, a.data, a.out, seed=a.seed, resume=a.resume, steps=a.steps,
                 arch=arch, threads=a.threads)
    print(f"wrote {a.out} ({prov['iterations']} iterations, {prov['train_seconds']:.0f} s)")


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="qcsr", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)

    t = sub.add_parser("train", help="train a float model")
    t.add_argument("--degradation", choices=["bicubic", "proposed"], required=True)
    t.add_argument("--preset", choices=["paper", "fast"], default="fast")
    t.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding T91/ and BSD200/")
    t.add_argument("--out", type=Path, required=True, help="model file to write (.pt)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--resume", action="store_true", help="continue from OUT.ckpt")
    t.add_argument("--steps", type=int, help="override the preset's iteration count")
    t.add_argument("--threads", type=int, help="torch CPU threads")
    for name, default in (("F", 3), ("C", 16), ("N", 6), ("KH", 3), ("KW", 3), ("G", 4)):
        t.add_argument(f"--{name}", type=int, default=default, help=f"architecture parameter {name}")
    t.set_defaults(func=cmd_train)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except QcsrError as e:
        print(f"qcsr: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
