#!/usr/bin/env bash
# Builds DJL 0.36's PyTorch JNI (libdjl_torch.so) against a local libtorch, without CMake's CUDA discovery.
# usage: build-jni.sh SRC_DIR TORCH_DIR JNI_INCLUDE_DIR OUT_DIR [cuda]
set -uo pipefail
src=$1; torch=$2; jni=$3; out=$4; cuda=${5:-}
mkdir -p "$out/obj"
flags=(-std=c++17 -O2 -fPIC -D_GLIBCXX_USE_CXX11_ABI=1 -w
  -I"$src/build/include" -I"$src/../../../api/src/main/native" -I"$jni" -I"$jni/linux"
  -I"$torch/include" -I"$torch/include/torch/csrc/api/include")
libs=(-Wl,--no-as-needed -L"$torch/lib" -ltorch -ltorch_cpu -lc10)
if [[ $cuda == cuda ]]; then
  flags+=(-DUSE_CUDA)
  for d in ${CUDA_INCLUDES:-/usr/local/cuda/include}; do flags+=(-I"$d"); done
  libs+=(-ltorch_cuda -lc10_cuda)
elif [[ $cuda == cudalink ]]; then
  libs+=(-ltorch_cuda -lc10_cuda)
fi
fail=0
compile() { g++ "${flags[@]}" -c "$1" -o "$out/obj/$(basename "$1" .cc).o" 2> "$out/obj/$(basename "$1" .cc).err" \
  || { echo "FAILED: $1"; head -c 6000 "$out/obj/$(basename "$1" .cc).err"; return 1; }; }
jobs=${JOBS:-$(nproc)}
running=0
for f in "$src"/src/main/native/*.cc; do
  compile "$f" > "$out/obj/$(basename "$f" .cc).log" &
  running=$((running + 1))
  if (( running >= jobs )); then wait -n || fail=1; running=$((running - 1)); fi
done
while (( running > 0 )); do wait -n || fail=1; running=$((running - 1)); done
cat "$out"/obj/*.log
[[ $fail == 0 ]] || { echo "JNI compile failed"; exit 1; }
g++ -shared -o "$out/libdjl_torch.so" "$out"/obj/*.o "${libs[@]}" -Wl,-rpath,'$ORIGIN' \
  && echo "built $out/libdjl_torch.so"
