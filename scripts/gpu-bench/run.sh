#!/usr/bin/env bash
# Issue 11 goal 6 on the lent GPU machine: build DJL 0.36's PyTorch JNI against the machine's libtorch, then run
# `semistream bench` (standalone model) on the CPU and on the GPU, one after the other, in this one call.
# Rehearsal here: LOCAL_TORCH=/path/to/torch OUT=/tmp/out bash .gpu/run.sh (no CUDA).
set -uo pipefail
G="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
t0=$(date +%s); stamp() { echo "== $(( $(date +%s) - t0 )) s: $*"; }
if [[ -n ${LOCAL_TORCH:-} ]]; then
  TORCH=$LOCAL_TORCH; TV=2.13.0; FLAVOR=cpu; CUDA=; PY=true
else
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  TORCH=$(python3 -c 'import torch,os; print(os.path.dirname(torch.__file__))')
  TV=$(python3 -c 'import torch; print(torch.__version__.split("+")[0])')
  CV=$(python3 -c 'import torch; print(torch.version.cuda.replace(".",""))')
  FLAVOR=cu$CV-cxx11; CUDA=cuda
  python3 -c 'import torch; print("python torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available(), torch.cuda.get_device_name(0))'
fi
SITE=$(dirname "$TORCH")
stamp "torch $TV at $TORCH, flavour $FLAVOR"
J=/tmp/semistream-jre; rm -rf $J; mkdir -p $J && { tar xJf "$G/jre.txz" -C $J || python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$G/jre.txz" $J; } && JAVA_HOME=$(echo $J/*)
stamp "java: $($JAVA_HOME/bin/java -version 2>&1 | head -1)"
if [[ -n $CUDA ]]; then
  nvcc_home=$(dirname "$(dirname "$(command -v nvcc)")")
  CUDA_INCLUDES="$nvcc_home/include $(find "$SITE/nvidia" -maxdepth 3 -type d -name include 2>/dev/null | tr '\n' ' ')"
  export CUDA_INCLUDES
  echo "CUDA includes: $CUDA_INCLUDES"
fi
JOBS=$(nproc) bash "$G/build-jni.sh" "$G/djl/engines/pytorch/pytorch-native" "$TORCH" "$JAVA_HOME/include" /tmp/jni $CUDA \
  2>&1 | tee "$OUT/jni-build.log" | tail -60
if [[ ! -f /tmp/jni/libdjl_torch.so && -n $CUDA ]]; then
  # DJL's USE_CUDA blocks are extras (a separate inference stream, emptying the cache); the GPU itself works
  # through libtorch_cuda's hooks, so a build without them still runs the bench on the GPU.
  stamp "JNI build with USE_CUDA failed; again without DJL's CUDA extras, still linked to libtorch_cuda"
  rm -rf /tmp/jni; JOBS=$(nproc) bash "$G/build-jni.sh" "$G/djl/engines/pytorch/pytorch-native" "$TORCH" \
    "$JAVA_HOME/include" /tmp/jni cudalink 2>&1 | tee "$OUT/jni-build-cudalink.log" | tail -30
fi
[[ -f /tmp/jni/libdjl_torch.so ]] || { stamp "JNI build failed"; exit 3; }
cp /tmp/jni/libdjl_torch.so "$TORCH/lib/"
stamp "JNI built: $(ls -la /tmp/jni/libdjl_torch.so)"
# DJL counts GPUs through JNA's libcudart.so (unversioned); the wheels ship only libcudart.so.NN.
mkdir -p /tmp/cudart
rt=$( (find "$SITE/nvidia" /usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib -name 'libcudart.so*' 2>/dev/null) | sort | head -1)
[[ -n $rt ]] && ln -sf "$rt" /tmp/cudart/libcudart.so && echo "cudart: $rt"
nv=$(find "$SITE/nvidia" -maxdepth 3 -type d -name lib 2>/dev/null | tr '\n' ':')
export LD_LIBRARY_PATH="/tmp/cudart:$TORCH/lib:$nv${LD_LIBRARY_PATH:-}"
export OMP_WAIT_POLICY=PASSIVE DJL_CACHE_DIR=/tmp/djl-cache PYTORCH_LIBRARY_PATH="$TORCH/lib" PYTORCH_VERSION=$TV \
  PYTORCH_FLAVOR=$FLAVOR PYTORCH_LIBRARY_EXCLUSION=libtorchbind_test.so,libjitbackend_test.so,libbackend_with_compiler.so,libaoti_custom_ops.so
cd "$G" && mkdir -p data/cache && for f in data/cache/*.gz; do gunzip -kf "$f"; done
bench() { # NAME DEVICE [java opts...] -- [bench options...]
  local name=$1 dev=$2; shift 2
  local jopts=(); while [[ $# -gt 0 && $1 != -- ]]; do jopts+=("$1"); shift; done; [[ ${1:-} == -- ]] && shift
  stamp "bench $name"
  timeout ${BENCH_TIMEOUT:-150} "$JAVA_HOME/bin/java" -Xmx8g -Dai.djl.offline=true -Djna.library.path=/tmp/cudart "${jopts[@]}" \
    -jar semistream.jar bench --skip-kafka --dataset mnist --batch-sizes ${BATCHES:-64,256,1024,4096} \
    --images ${IMAGES:-65536} --repeat ${REPEAT:-3} --train-steps ${TRAIN_STEPS:-200} --model models/conv-ae-64/v1 \
    -D data.dir=data -D embedding.device=$dev "$@" > "$OUT/bench-$name.log" 2>&1
  echo "rc=$?" >> "$OUT/bench-$name.log"
  grep -v -E '^\s+at |^[0-9:.]+ (INFO|DEBUG)' "$OUT/bench-$name.log" | tail -40
}
# BENCHES: NAME:DEVICE:WORKERS[:cudnn] ... (workers = predictors side by side, as embedding.threads runs them)
for spec in ${BENCHES:-cpu:cpu:1 gpu:gpu:1 gpu-cudnn-benchmark:gpu:1:cudnn}; do
  IFS=: read -r name dev workers cudnn <<< "$spec"
  [[ $dev == gpu && -z $CUDA ]] && continue
  bench "$name" "$dev" ${cudnn:+-Dai.djl.pytorch.cudnn_benchmark=true} -- -D embedding.threads=$workers
done
stamp done
