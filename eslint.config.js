import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * The layers of src/ (docs/ARCHITECTURE.md): data flows UI → store → bridge → worker → pipeline → engines → io.
 * Each entry says what a folder may NOT import at run time (type-only imports are allowed: they vanish).
 */
const ENGINES = ['decode', 'flow', 'model', 'io', 'platform'];
/** Shared vocabulary any layer may import: dtype and device names (model/types), output file names. */
const VOCABULARY = ['model/types', 'pipeline/outputs'];
/** A relative import of one of `folders` (of src/), vocabulary excepted. */
const up = (...folders) => `^(?:\\.\\./)+(?!(?:${VOCABULARY.join('|')})$)(?:${folders.join('|')})(?:/|$)`;
const NOT_PRODUCT = '^(?:\\.\\./)+(?:e2e|test|tools)/';
/** Modules that need a browser (DOM, workers, WebGPU, OPFS, ffmpeg.wasm): pure code stays off them. */
const BROWSER_ONLY =
  '^(?:\\.\\./)+(?:decode/client|flow/engine|flow/pool|flow/preview|flow/webgpu/.*|io/opfs|io/download|io/model-store|model/ort|model/runtime|platform/capabilities)$';

const layer = (files, regexes, message, extra = {}) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: regexes.map((regex) => ({ regex, message, allowTypeImports: true })), ...extra }],
  },
});

const ORT = { paths: [{ name: 'onnxruntime-web', message: 'only src/model/ort.ts (and ort-runtime/) import onnxruntime-web' }] };
const COMLINK = { name: 'comlink', message: 'comlink stays inside src/bridge/ and src/worker/' };

export default tseslint.config(
  {
    ignores: [
      'dist',
      'dist-test',
      'node_modules',
      'bench/out',
      'test-results',
      'playwright-report',
      '.cache',
      'tools/reference/**/*.py',
      'src/flow/wasm/generated/**',
      'src/flow/wasm/assembly/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser, ...globals.node, ...globals.worker } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // type-aware rules that catch real bugs: a promise nobody awaits or catches, a promise where a callback returns void
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  {
    files: ['src/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  // ---- layer boundaries ----
  layer(['src/ui/**'], [up('bridge', 'worker', 'pipeline', 'app', ...ENGINES), NOT_PRODUCT], 'the UI reads and calls the store only (src/state)', {
    paths: [COMLINK],
  }),
  layer(['src/state/**'], [up('worker', 'pipeline', 'ui', 'app', ...ENGINES), NOT_PRODUCT], 'the store calls the bridge only (src/bridge)', {
    paths: [COMLINK],
  }),
  layer(['src/bridge/**'], [up('ui', 'state', 'app', 'pipeline', 'decode', 'flow', 'model', 'platform'), NOT_PRODUCT], 'the bridge talks to the worker only'),
  layer(['src/worker/**'], [up('ui', 'state', 'bridge', 'app'), NOT_PRODUCT], 'workers serve the bridge; they do not call back up'),
  layer(
    ['src/pipeline/**'],
    [up('ui', 'state', 'bridge', 'worker', 'app'), BROWSER_ONLY, NOT_PRODUCT],
    'src/pipeline is pure: engines are injected (JobEnv), not imported',
    { paths: [COMLINK, ...ORT.paths] },
  ),
  layer(
    ENGINES.map((f) => `src/${f}/**`),
    [up('ui', 'state', 'bridge', 'worker', 'app', 'pipeline'), NOT_PRODUCT],
    'engines and storage do not import the layers above them',
    { paths: [COMLINK, ...ORT.paths] },
  ),
  layer(
    ['src/model/ort.ts', 'src/model/ort-runtime/**'],
    [up('ui', 'state', 'bridge', 'worker', 'app', 'pipeline'), NOT_PRODUCT],
    'the model runtime does not import the layers above it',
    {
      paths: [COMLINK],
    },
  ),
  layer(['src/app/**', 'src/*.ts'], [NOT_PRODUCT], 'product code does not import tests or tools', { paths: [COMLINK, ...ORT.paths] }),
  // tests may reach into any layer
  {
    files: ['src/**/*.test.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  prettier,
);
