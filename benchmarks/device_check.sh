#!/usr/bin/env bash
# The GPU path, checked in one short run (<= 8 minutes on a CUDA machine with the project's .venv):
#   1. what the machine offers: nvidia-smi, Mitsuba's CUDA variants, TensorFlow's GPUs;
#   2. the same factory dataset generated on the CPU (--device cpu) and on the GPU (--device gpu), each timed:
#      samples/s for both, whole command;
#   3. the two datasets compared field by field within stated tolerances (labels and meta exact but obj_visible,
#      which follows the segmentation's tolerance; CFR within
#      1e-3 of each sample's peak magnitude; range-angle map within 0.5 dB wherever it is within 40 dB of the
#      sample's peak; RGB within 2 grey levels on 99 % of pixels; depth within 1 cm on 99 % of pixels;
#      segmentation equal on 99 % of pixels) -- Dr.Jit's CUDA and LLVM back ends round differently, so bit
#      equality is not expected;
#   4. three training epochs on the GPU dataset with --device gpu (seconds per epoch, the device TensorFlow used).
#
# Usage:  bash benchmarks/device_check.sh [OUT]        (default OUT: runs/device_check; N=256 samples)
# Without a CUDA GPU it says so and exits 0 having checked nothing, unless DEVICE_CHECK_CPU_ONLY=1, which runs
# every step with --device cpu on both sides (a check of this script itself: the datasets must then be equal).
# Exit 1 when a comparison fails its tolerance.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
OUT=${1:-runs/device_check}
N=${N:-256}
EPOCHS=${EPOCHS:-3}
GPU=gpu

echo "== 1. machine"
date -u +"%Y-%m-%dT%H:%M:%SZ"
nvidia-smi -L 2>/dev/null || echo "nvidia-smi: none"
"$PY" - <<'EOF'
import mitsuba as mi
print("mitsuba", mi.__version__, "variants:", ", ".join(v for v in mi.variants() if "ad" in v))
import tensorflow as tf
print("tensorflow", tf.__version__, "GPUs:", tf.config.list_physical_devices("GPU") or "none")
EOF
if ! "$PY" -c "from rvsim.sim.sionna_import import cuda_available; raise SystemExit(0 if cuda_available() else 1)"; then
  if [ "${DEVICE_CHECK_CPU_ONLY:-0}" = 1 ]; then
    echo "no usable CUDA GPU: DEVICE_CHECK_CPU_ONLY=1, both sides run on the CPU (a check of this script)"
    GPU=cpu
  else
    echo "no usable CUDA GPU here: nothing checked (set DEVICE_CHECK_CPU_ONLY=1 to exercise the script on the CPU)"
    exit 0
  fi
fi

rm -rf "$OUT"
mkdir -p "$OUT"
echo "== 2. generation: $N factory samples, --device cpu, then --device $GPU"
gen() {  # gen DEVICE FOLDER -> prints samples/s
  local t0 t1
  t0=$(date +%s.%N)
  "$PY" -m rvsim.cli generate --scene factory --num-samples "$N" --seed 11 --shard-size 64 --workers 1 \
      --device "$1" --out "$2" --quiet > "$2.log" 2>&1 || { cat "$2.log"; exit 1; }
  t1=$(date +%s.%N)
  "$PY" -c "print(f'--device $1: {$N / ($t1 - $t0):.2f} samples/s ({$t1 - $t0:.1f} s for $N samples, whole command)')"
}
gen cpu "$OUT/cpu"
gen "$GPU" "$OUT/gpu"

echo "== 3. the GPU dataset against the CPU dataset"
"$PY" - "$OUT/cpu" "$OUT/gpu" <<'EOF'
import sys
import numpy as np
from rvsim.data import Dataset

a, b = Dataset(sys.argv[1]), Dataset(sys.argv[2])
assert a.fields == b.fields, "the two datasets hold different fields"
idx = np.arange(len(a))
failed = []

def report(name: str, ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {name}: {what}")
    if not ok:
        failed.append(name)

for name in sorted(a.fields):
    x, y = a.read(name, idx), b.read(name, idx)
    if name == "labels/obj_visible":  # from the rendered segmentation: follows its tolerance
        frac = (x == y).mean()
        report(name, frac >= 0.99, f"{frac:.4f} of entries equal (tolerance 0.99)")
    elif name.startswith(("labels/", "meta/")):
        report(name, np.array_equal(x, y), "exactly equal" if np.array_equal(x, y) else "differs")
    elif name == "radio/cfr":
        peak = np.abs(x).reshape(len(x), -1).max(axis=1)
        err = (np.abs(x - y).reshape(len(x), -1).max(axis=1) / np.maximum(peak, 1e-30)).max()
        report(name, err <= 1e-3, f"largest error {err:.2e} of the sample's peak magnitude (tolerance 1e-3)")
    elif name == "radio/range_angle":
        top = x.reshape(len(x), -1).max(axis=1)[:, None, None]
        mask = x > top - 40.0
        err = np.abs(x - y)[mask].max()
        report(name, err <= 0.5, f"largest difference {err:.3f} dB within 40 dB of the peak (tolerance 0.5 dB)")
    elif name == "image/rgb":
        frac = (np.abs(x.astype(int) - y.astype(int)).max(axis=-1) <= 2).mean()
        report(name, frac >= 0.99, f"{frac:.4f} of pixels within 2 levels (tolerance 0.99)")
    elif name == "image/depth":
        frac = (np.abs(x - y) <= 0.01).mean()
        report(name, frac >= 0.99, f"{frac:.4f} of pixels within 1 cm (tolerance 0.99)")
    elif name == "image/segmentation":
        frac = (x == y).mean()
        report(name, frac >= 0.99, f"{frac:.4f} of pixels equal (tolerance 0.99)")
    else:
        err = float(np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))) if x.size else 0.0
        report(name, err <= 1e-3 * max(1.0, float(np.max(np.abs(x)))), f"largest difference {err:.3g}")
sys.exit(1 if failed else 0)
EOF

echo "== 4. training: $EPOCHS epochs on the --device $GPU dataset, rvsim train --device $GPU"
t0=$(date +%s.%N)
"$PY" -m rvsim.cli train --data "$OUT/gpu" --out "$OUT/run" --epochs "$EPOCHS" --batch-size 64 --device "$GPU" \
    > "$OUT/train.log" 2>&1 || { tail -20 "$OUT/train.log"; exit 1; }
t1=$(date +%s.%N)
grep -i -m3 "device\|gpu" "$OUT/train.log" || true
"$PY" -c "print(f'training: {($t1 - $t0):.1f} s for $EPOCHS epochs, whole command')"
echo "device check passed"
