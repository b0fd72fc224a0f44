#!/bin/sh
# Build the WebAssembly SIMD prototype with Debian's clang (apt: clang-14 lld-14); no emscripten, no libc.
set -eu
cd "$(dirname "$0")"
LLVM_BIN=${LLVM_BIN:-/usr/lib/llvm-14/bin}
export PATH="$LLVM_BIN:$PATH" # clang finds wasm-ld there
CLANG=${CLANG:-clang}
mkdir -p ../../bench/out
$CLANG --target=wasm32 -msimd128 -O3 -nostdlib -fno-builtin -ffp-contract=off \
  -Wl,--no-entry -Wl,--import-memory -Wl,--export=__heap_base -Wl,--lto-O3 -Wl,-z,stack-size=65536 \
  -fuse-ld=lld -o ../../bench/out/tvl1-proto.wasm kernels.c
ls -l ../../bench/out/tvl1-proto.wasm
