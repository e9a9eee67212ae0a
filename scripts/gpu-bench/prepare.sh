#!/usr/bin/env bash
# Assembles .gpu/ (ignored by git) for a GPU machine that has Python's PyTorch with its headers, g++ and nvcc but
# no Java and no network: a jlink'd Java runtime, the jars the standalone bench needs (not the CPU native library),
# the model, the MNIST cache, DJL's PyTorch JNI sources with the generated JNI header, and the two scripts.
# usage: scripts/gpu-bench/prepare.sh DJL_SOURCE_DIR [MODEL_VERSION_DIR]
#   DJL_SOURCE_DIR: a checkout of deepjavalibrary/djl at tag v0.36.0 (the version in pom.xml)
# then, on the GPU machine, from the repository root: bash .gpu/run.sh   (OUT=folder for the logs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"; cd "$root"
djl=${1:?usage: prepare.sh DJL_SOURCE_DIR [MODEL_VERSION_DIR]}
model=${2:-$(ls -d models/conv-ae-64/v* 2>/dev/null | sort -V | tail -1)}
[[ -f target/semistream.jar && -d target/lib ]] || mvn -B -q -DskipTests package
[[ -n $model && -f $model/model.json ]] || { echo "no model version directory (train one: ./semistream train)"; exit 1; }
[[ -f data/cache/mnist-images.idx3-ubyte ]] || { echo "no MNIST cache: run ./semistream bench --skip-kafka --dataset mnist once"; exit 1; }
native=$djl/engines/pytorch/pytorch-native
[[ -d $native/src/main/native ]] || { echo "$djl is not a DJL source checkout"; exit 1; }
g=.gpu; rm -rf $g; mkdir -p $g/lib $g/data/cache $g/models/conv-ae-64 $g/djl/engines/pytorch/pytorch-native/src/main \
  $g/djl/engines/pytorch/pytorch-native/build $g/djl/api/src/main
[[ ! -d .git/info ]] || grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo '/.gpu/' >> .git/info/exclude
# The runtime keeps its header files: the JNI build on the GPU machine needs jni.h from it.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
jlink --add-modules java.base,java.desktop,java.naming,java.sql,jdk.management,jdk.unsupported,java.logging,\
java.management,java.xml,jdk.crypto.ec,jdk.zipfs --strip-debug --no-man-pages --compress=2 --output "$tmp/jre"
tar cf - -C "$tmp" jre | xz -T0 -9 > $g/jre.txz
# The standalone bench needs neither the broker (Scala, RocksDB) nor the web server, nor DJL's CPU native
# library and its JNI (the GPU machine builds its own against its libtorch); kafka-clients stays (configuration).
for j in target/lib/*.jar; do
  case $(basename "$j") in
    pytorch-native-*|pytorch-jni-*|rocksdbjni-*|scala-*|kafka_2*|kafka-server*|kafka-metadata*|kafka-raft*|\
kafka-storage*|kafka-*coordinator*|kafka-tools*|kafka-streams*|jetty*|javalin*|kotlin*|jakarta*|asm*|argparse*|jose4j*|\
jopt*|json-schema*|itu*|commons-validator*|commons-digester*|commons-beanutils*|commons-collections*|annotations-13*|\
re2j*|metrics-core*|jackson-module-scala*|zookeeper*|netty*|caffeine*|hash4j*|HdrHistogram*|jline*|zstd-jni*|snappy*|\
lz4*|pcollections*) ;;
    *) cp "$j" $g/lib/ ;;
  esac
done
cp target/semistream.jar $g/
cp -r "$model" $g/models/conv-ae-64/v1
for f in data/cache/mnist-*; do gzip -9c "$f" > $g/data/cache/$(basename "$f").gz; done
cp -r "$native/src/main/native" $g/djl/engines/pytorch/pytorch-native/src/main/
cp -r "$djl/api/src/main/native" $g/djl/api/src/main/
javac -h $g/djl/engines/pytorch/pytorch-native/build/include -d "$tmp/classes" \
  "$djl/engines/pytorch/pytorch-engine/src/main/java/ai/djl/pytorch/jni/PyTorchLibrary.java"
cp scripts/gpu-bench/run.sh scripts/gpu-bench/build-jni.sh $g/
echo "prepared $g: $(du -sh $g | cut -f1) (the device machine takes 64 MiB with the working tree)"
