/**
 * Packs tools/bench/gpu.ts (TV-L1, I3D per dtype vs WASM, end to end) and tools/bench/flow-webgpu-node.ts (TV-L1
 * schedules) for a machine that has a GPU but no npm, ffmpeg or project checkout: the two bundled scripts (the
 * app's graph builder inside: the I3D models are built there from a seed, nothing model-sized is carried),
 * onnxruntime-web's two .wasm files (xz), Dawn's dawn.node (xz), the rgb24 frames they measure on (xz), a Vulkan
 * loader and a run.sh that finds (or writes) the NVIDIA Vulkan driver manifest. Output: .cache/gpu-bench/
 * (gitignored), about 40 MB with --with-node.
 *
 *   npx tsx tools/bench/pack-flow-webgpu.ts --dawn PATH/dawn.node [--frames 65] [--with-node]
 *
 * Then, on the GPU machine, from the repository root (with .cache/gpu-bench carried along):
 *   sh .cache/gpu-bench/run.sh gpu --out "$OUT/gpu.json"            (tools/bench/gpu.ts, published width, a few minutes)
 *   sh .cache/gpu-bench/run.sh --size 341x256 --pairs 64 --batches 1,8,32,64 --out "$OUT/flow-webgpu.json"
 * (arguments after run.sh [gpu] go to the script). --with-node adds this machine's node binary (xz) for a
 * machine without node.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { encodeNpy } from '../../src/io/npy';
import { decodeRgbFrames } from '../../src/decode/native-node';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, '.cache', 'gpu-bench');
const FIXTURE = join(ROOT, '../shared/fixtures/v_GGSY1Qvo990.mp4');
const FIRST_FRAME = 30;

const RUN_SH = `#!/bin/sh
# GPU benchmarks with the files packed by tools/bench/pack-flow-webgpu.ts: 'run.sh gpu ARGS' runs gpu.mjs
# (tools/bench/gpu.ts), 'run.sh ARGS' flow-webgpu.mjs (tools/bench/flow-webgpu-node.ts).
set -e
D=$(cd "$(dirname "$0")" && pwd)
T=\${TMPDIR:-/tmp}/gpu-bench.$$
mkdir -p "$T"
NODE=\${NODE:-node}
if ! command -v "$NODE" >/dev/null 2>&1; then
  [ -f "$D/node.xz" ] || { echo "run.sh: no node on this machine (pack with --with-node)"; exit 1; }
  xz -dc "$D/node.xz" > "$T/node" && chmod +x "$T/node" && NODE="$T/node"
fi
xz -dc "$D/dawn.node.xz" > "$T/dawn.node"
SCRIPT=flow-webgpu.mjs
if [ "$1" = gpu ]; then
  shift
  SCRIPT=gpu.mjs
  for f in "$D"/ort-*.xz; do xz -dc "$f" > "$T/$(basename "$f" .xz)"; done
fi
cp "$D/$SCRIPT" "$T/$SCRIPT"
xz -dc "$D/frames.npy.xz" > "$T/frames.npy"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  export LD_LIBRARY_PATH="$D/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [ -z "$VK_ICD_FILENAMES" ] && [ -f /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_ICD_FILENAMES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
fi
if [ -z "$VK_ICD_FILENAMES" ] && ! ls /usr/share/vulkan/icd.d/nvidia*.json /etc/vulkan/icd.d/nvidia*.json >/dev/null 2>&1; then
  if ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia.so.0'; then
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\\n' > "$T/nvidia_icd.json"
    export VK_ICD_FILENAMES="$T/nvidia_icd.json"
  else
    echo "run.sh: no NVIDIA Vulkan driver manifest and no libGLX_nvidia.so.0; Dawn may find no adapter"
  fi
fi
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L || true
echo "node $("$NODE" --version); VK_ICD_FILENAMES=\${VK_ICD_FILENAMES:-(system)}"
set +e
"$NODE" "$T/$SCRIPT" --dawn "$T/dawn.node" --frames "$T/frames.npy" "$@"
rc=$?
rm -rf "$T"
exit $rc
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dawn: { type: 'string', default: process.env.WEBGPU_DAWN ?? join(ROOT, 'node_modules/webgpu/dist/linux-x64/dawn.node') },
      frames: { type: 'string', default: '65' },
      'with-node': { type: 'boolean', default: false },
    },
  });
  if (!existsSync(values.dawn)) throw new Error(`no dawn.node at ${values.dawn} (npm ci installs the webgpu package, or --dawn PATH)`);
  mkdirSync(join(OUT, 'lib'), { recursive: true });

  const esbuild = await import('esbuild');
  for (const [entry, out] of [
    ['flow-webgpu-node.ts', 'flow-webgpu.mjs'],
    ['gpu.ts', 'gpu.mjs'],
  ]) {
    await esbuild.build({
      entryPoints: [join(ROOT, 'tools/bench', entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: ['node'],
      outfile: join(OUT, out),
      // CommonJS dependencies bundled into ESM call require()
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
      logLevel: 'warning',
    });
  }
  // onnxruntime-web imports its .mjs glue and finds its .wasm next to the script (run.sh unpacks them beside gpu.mjs)
  for (const wasm of [
    'ort-wasm-simd-threaded.wasm',
    'ort-wasm-simd-threaded.mjs',
    'ort-wasm-simd-threaded.asyncify.wasm',
    'ort-wasm-simd-threaded.asyncify.mjs',
  ]) {
    execFileSync('sh', ['-c', `xz -T0 -6 -c "${join(ROOT, 'node_modules/onnxruntime-web/dist', wasm)}" > "${join(OUT, `${wasm}.xz`)}"`]);
  }

  const count = Number(values.frames);
  const { width, height, frames } = await decodeRgbFrames(FIXTURE, { maxFrames: FIRST_FRAME + count });
  const rgb = new Uint8Array(count * width * height * 3);
  frames.slice(FIRST_FRAME).forEach((f, k) => rgb.set(f, k * width * height * 3));
  writeFileSync(join(OUT, 'frames.npy'), encodeNpy(rgb, [count, height, width, 3]));
  execFileSync('xz', ['-T0', '-6', '-f', join(OUT, 'frames.npy')]);

  execFileSync('sh', ['-c', `xz -T0 -6 -c "${values.dawn}" > "${join(OUT, 'dawn.node.xz')}"`]);
  const loader = '/usr/lib/chromium/libvulkan.so.1';
  if (existsSync(loader)) copyFileSync(loader, join(OUT, 'lib', 'libvulkan.so.1'));
  if (values['with-node']) execFileSync('sh', ['-c', `xz -T0 -6 -c "${process.execPath}" > "${join(OUT, 'node.xz')}"`]);
  writeFileSync(join(OUT, 'run.sh'), RUN_SH, { mode: 0o755 });
  console.log(execFileSync('du', ['-sh', OUT], { encoding: 'utf8' }).trim());
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
