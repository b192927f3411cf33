#!/bin/bash
# Issue 14: a larger-crop averaged stage on top of s4ema (192-px HR crops, lower lr). Resumable.
set -e
cd /work/main
Q=.venv/bin/qcsr
D=/work/shared/datasets
R=runs/bicubic_rep4
run() { out=$1; shift; if [ ! -f $out ]; then
  if [ -f $out.ckpt ]; then $Q train --out $out --resume "$@"; else $Q train --out $out "$@"; fi; fi; }
run $R/s5p192.pt --degradation bicubic --preset fast --threads 1 --data $D --init runs/bicubic_rep3/s4ema.pt --reparam 4 --lr 2e-4 --patch 192 --steps 8000 --seed 23 --ema 0.999
[ -f $R/s5p192.eval.json ] || $Q eval --model $R/s5p192.pt --data $D --jpeg none --json $R/s5p192.eval.json
echo CHAIN DONE
