/** The parts of @ffmpeg/core 0.12 (Emscripten build of FFmpeg 5.1) that the decoder uses. */
declare module '@ffmpeg/core' {
  export interface EmscriptenStreamOps {
    open?: (stream: unknown) => void;
    close?: (stream: unknown) => void;
    read?: (stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => number;
    write?: (stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number) => number;
    llseek?: (stream: unknown, offset: number, whence: number) => number;
  }
  export interface EmscriptenFS {
    mkdir(path: string): void;
    mount(type: unknown, opts: { files?: File[]; blobs?: { name: string; data: Blob }[] }, mountpoint: string): void;
    unmount(mountpoint: string): void;
    filesystems: Record<string, unknown>;
    makedev(major: number, minor: number): number;
    registerDevice(dev: number, ops: EmscriptenStreamOps): void;
    mkdev(path: string, mode: number, dev: number): void;
    unlink(path: string): void;
    readFile(path: string): Uint8Array;
    writeFile(path: string, data: Uint8Array): void;
    analyzePath(path: string): { exists: boolean };
  }
  export interface FFmpegCore {
    FS: EmscriptenFS;
    exec(...args: string[]): number;
    ffprobe(...args: string[]): number;
    setLogger(logger: (entry: { type: 'stdout' | 'stderr'; message: string }) => void): void;
    setTimeout(ms: number): void;
    reset(): void;
    ret: number;
  }
  export interface CoreOptions {
    instantiateWasm?: (imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => object;
    print?: (s: string) => void;
    printErr?: (s: string) => void;
  }
  const createFFmpegCore: (opts?: CoreOptions) => Promise<FFmpegCore>;
  export default createFFmpegCore;
}
declare module '@ffmpeg/core/wasm?url' {
  const url: string;
  export default url;
}
