#!/bin/bash
# Issue 14: stage 3 of the shipped bicubic chain without scale augmentation ($1 = noscale) or with
# another seed ($1 = seed19), matched to the shipped stage 3 (runs/bicubic_rep3/s4ema). Resumable.
set -e
cd /work/main
Q=.venv/bin/qcsr
D=/work/shared/datasets
R=runs/bicubic_rep5
run() { out=$1; shift; if [ ! -f $out ]; then
  if [ -f $out.ckpt ]; then $Q train --out $out --resume "$@"; else $Q train --out $out "$@"; fi; fi; }
common=(--degradation bicubic --preset fast --threads 1 --data $D --init runs/bicubic_rep2/s2.pt --reparam 4 --lr 3e-4 --patch 128 --steps 20000 --ema 0.999)
case $1 in
  noscale) run $R/noscale.pt "${common[@]}" --seed 17 --scale-aug 1.0 ;;
  seed19) run $R/seed19.pt "${common[@]}" --seed 19 ;;
esac
[ -f $R/$1.eval.json ] || $Q eval --model $R/$1.pt --data $D --jpeg none --json $R/$1.eval.json
echo CHAIN DONE
