#!/bin/bash
# Issue 14: qcsr_x2_proposed re-derived from the re-parameterised + averaged bicubic model (s4ema),
# the shipped sampler setting cf50s04n01. Resumable.
set -e
cd /work/main
Q=.venv/bin/qcsr
D=/work/shared/datasets
R=runs/ship2
out=$R/proposed.pt
args=(--degradation proposed --preset fast --threads 1 --data $D --init runs/bicubic_rep3/s4ema.pt --lr 1e-3 --steps 12000 --seed 5 --clean-fraction 0.5 --sigma 0,0.4 --noise 0,0.01 --reparam 4 --ema 0.999)
if [ ! -f $out ]; then
  if [ -f $out.ckpt ]; then $Q train --out $out --resume "${args[@]}"; else $Q train --out $out "${args[@]}"; fi
fi
[ -f $R/proposed.eval.json ] || $Q eval --model $out --data $D --jpeg none,70,80,90 --json $R/proposed.eval.json
echo CHAIN DONE
