#!/usr/bin/env bash
# The GPU figures of bench/RESULTS.md in one go, on a machine with one CUDA GPU and the
# project's Python packages installed (full-size architectures, random weights):
#
#   bash bench/gpu.sh OUTDIR
#
# Each step has its own time limit, so one slow step cannot eat the others; the figures land
# in OUTDIR as JSON, the output in OUTDIR/gpu.log. The most important figures come first.
set -uo pipefail
out="${1:?usage: bash bench/gpu.sh OUTDIR}"
mkdir -p "$out"
py="${PYTHON:-python3}"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
exec > >(tee -a "$out/gpu.log") 2>&1

step() {  # step SECONDS NAME COMMAND...: run one step under its limit, say how it ended
  local limit=$1 name=$2
  shift 2
  echo "=== $name ($(date +%T))"
  timeout "$limit" "$@" 2>&1 | grep -v -E "Loading|Writing model shards|it/s\]|torch_dtype"
  echo "=== $name: exit ${PIPESTATUS[0]}"
}

nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
"$py" -c "import torch, diffusers, transformers; print('torch', torch.__version__, 'diffusers', diffusers.__version__, 'transformers', transformers.__version__)"

for arch in sd-turbo sdxs; do
  step 150 "engine $arch 512 full VAE: seed, sequential (one prompt), batched 30" \
    "$py" -m bench.engine --arch "$arch" --device cuda --size 512 --steps 1 --prompts 30 --batch 30 \
    --json "$out/engine-$arch-512.json"
done
step 120 "fairness sd-turbo: alone against batches of 8, 16, 30" \
  "$py" -m bench.fairness --arch sd-turbo --device cuda --size 512 --prompts 30 --batches 8 16 30 \
  --json "$out/fairness-sd-turbo.json"
step 90 "engine sd-turbo 512 tiny decoder" \
  "$py" -m bench.engine --arch sd-turbo --device cuda --size 512 --prompts 30 --batch 30 --vae tiny \
  --modes sequential batched --json "$out/engine-sd-turbo-512-tiny.json"

models=/tmp/promptmatch-models
step 120 "save sd-turbo's full-size architecture as model folders" \
  "$py" -m bench.save_arch --arch sd-turbo --out "$models"
export PROMPTMATCH_ENGINE=diffusers PROMPTMATCH_MODEL_ID="$models/pipeline" \
  PROMPTMATCH_TINY_VAE_ID="$models/taesd" PROMPTMATCH_CLIP_MODEL_ID="$models/clip" PROMPTMATCH_BATCH_SIZE=30
step 120 "app: one class of 30 within 5 s" \
  "$py" -m bench.app --engine diffusers --players 30 --within 5 --size 512 --games --json "$out/app-gpu-1.json"
step 150 "app: ten classes of 30 within 5 s" \
  "$py" -m bench.app --engine diffusers --players 30 --classes 10 --within 5 --size 512 --games \
  --json "$out/app-gpu-10.json"

step 240 "engine sd-turbo 512 tiny decoder, torch.compile" \
  "$py" -m bench.engine --arch sd-turbo --device cuda --size 512 --prompts 30 --batch 30 --vae tiny --compile \
  --modes sequential batched --json "$out/engine-sd-turbo-512-tiny-compile.json"
echo "=== done ($(date +%T))"
