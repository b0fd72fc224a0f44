/** The shape of an onnxruntime-web module (all entries share the same API and typings). */
export type OrtModule = typeof import('onnxruntime-web');
