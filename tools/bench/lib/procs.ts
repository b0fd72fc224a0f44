/**
 * Memory of a process tree, read from /proc (Linux): a command is started, and while it runs every
 * descendant is sampled every `intervalMs`. Per group of processes:
 * - `peakSumPssMiB`: the largest sum of PSS (proportional set size, /proc/PID/smaps_rollup: each shared page
 *   counted once, split between the processes that map it) over the group's processes seen in one sample — what
 *   the group held at once (a sample can miss a short spike between two readings); `peakSumRssMiB` the same with
 *   VmRSS (counts shared pages, e.g. the Chromium binary, once per process, so it overstates);
 * - per process, its last VmHWM reading (the kernel's own peak resident size of that process; it only grows,
 *   so the last reading before the process exits is its peak up to the sampling interval).
 * A phase can be measured apart: when the command prints a given line, the processes' VmHWM are reset
 * (/proc/PID/clear_refs) and a second set of peaks starts.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface ProcessPeak {
  pid: number;
  /** Chromium's --type (renderer, gpu-process, utility, zygote, …), `browser`, or the program name. */
  kind: string;
  hwmMiB: number;
}

export interface GroupMemory {
  peakSumRssMiB: number;
  /** Largest sum of PSS (proportional set size: shared pages split between the processes that map them). */
  peakSumPssMiB: number;
  processes: ProcessPeak[];
}

export interface TreeRun {
  code: number | null;
  wallSeconds: number;
  stdout: string;
  stderr: string;
  samples: number;
  /** Seconds the sampler spent reading /proc (its share of a core is kept at SAMPLER_DUTY at most). */
  samplerSeconds: number;
  groups: Record<string, GroupMemory>;
  /** The same from the mark on (see `markWhen`), or null when the mark never came. */
  afterMark: Record<string, GroupMemory> | null;
  /** Seconds from the start to the mark. */
  markSeconds: number | null;
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid …; comm may contain spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    const ppid = parentOf(pid);
    if (ppid === null) continue;
    const list = children.get(ppid) ?? [];
    list.push(pid);
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

const kiB = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);

/** VmRSS, VmHWM (status) and Pss (smaps_rollup; RSS where unreadable), KiB. */
function memoryKiB(pid: number): { rss: number; hwm: number; pss: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const [rss, hwm] = [kiB(status, 'VmRSS'), kiB(status, 'VmHWM')];
    if (!Number.isFinite(rss) || !Number.isFinite(hwm)) return null;
    let pss = rss;
    try {
      const p = kiB(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
      if (Number.isFinite(p)) pss = p;
    } catch {
      // no smaps_rollup (old kernel, or the process just exited)
    }
    return { rss, hwm, pss };
  } catch {
    return null;
  }
}

export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((s) => s);
  } catch {
    return [];
  }
}

/** `renderer`, `gpu-process`, … for Chromium's child processes, `browser` for the main one, else the program. */
export function processKind(argv: string[]): string {
  // a renamed process (setproctitle) has its whole command line in one string
  const type = /(?:^| )--type=(\S+)/.exec(argv.join(' '));
  if (type) return type[1];
  const prog = argv[0]?.split(' ')[0].split('/').pop() ?? '?';
  return /chrom/i.test(prog) ? 'browser' : prog;
}

type Acc = Record<string, { peakSumRssKiB: number; peakSumPssKiB: number; hwm: Map<number, { kind: string; hwm: number }> }>;

function summary(groups: Acc): Record<string, GroupMemory> {
  const mib = (kib: number) => Math.round(kib / 102.4) / 10;
  const result: Record<string, GroupMemory> = {};
  for (const [name, g] of Object.entries(groups)) {
    result[name] = {
      peakSumRssMiB: mib(g.peakSumRssKiB),
      peakSumPssMiB: mib(g.peakSumPssKiB),
      processes: [...g.hwm.entries()].map(([pid, p]) => ({ pid, kind: p.kind, hwmMiB: mib(p.hwm) })).sort((x, y) => y.hwmMiB - x.hwmMiB),
    };
  }
  return result;
}

/** Resets the kernel's peak resident size (VmHWM) of a process to its current size (Linux ≥ 4.0). */
function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // exited, or not ours
  }
}

/**
 * The most of one core the sampler takes: reading smaps_rollup of processes that map gigabytes (Chromium's WASM
 * heaps) costs tens of milliseconds each, so at a fixed 200 ms it took about a core of this 2-core machine from the
 * command it measured. After each sample the next waits at least `intervalMs` and at least (1 / SAMPLER_DUTY − 1)
 * times that sample's own time. The kernel's per-process peaks (VmHWM) are exact whatever the interval.
 */
const SAMPLER_DUTY = 0.05;

/**
 * Runs `cmd args` and samples the memory of its descendants (and of the command itself), grouped by
 * `group(argv)` (null: not counted). Resolves when the command exits. `markWhen(output)` (stdout and stderr so far): once it answers true
 * (the command said a phase began), every counted process's VmHWM is reset and a second set of peaks, `afterMark`,
 * is kept from then on (the whole-run peaks go on too).
 */
export function runSampled(
  cmd: string,
  args: string[],
  group: (argv: string[]) => string | null,
  opts: { cwd?: string; intervalMs?: number; env?: NodeJS.ProcessEnv; echo?: boolean; markWhen?: (output: string) => boolean } = {},
): Promise<TreeRun> {
  const interval = opts.intervalMs ?? 200;
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const whole: Acc = {};
    let afterMark: Acc | null = null;
    let markSeconds: number | null = null;
    let samples = 0;
    let samplerMs = 0;
    const counted = (pid: number) => {
      // read every time: a process forked by Chromium's zygote renames itself (--type=renderer) after a while
      const argv = commandLine(pid);
      return argv.length === 0 ? null : { group: group(argv), kind: processKind(argv) };
    };
    const sample = () => {
      if (child.pid === undefined) return;
      const sums: Record<string, { rss: number; pss: number }> = {};
      const seen: Array<{ pid: number; group: string; kind: string; hwm: number }> = [];
      for (const pid of [child.pid, ...descendants(child.pid)]) {
        const k = counted(pid);
        if (!k || k.group === null) continue;
        const st = memoryKiB(pid);
        if (!st) continue;
        const sum = (sums[k.group] ??= { rss: 0, pss: 0 });
        sum.rss += st.rss;
        sum.pss += st.pss;
        seen.push({ pid, group: k.group, kind: k.kind, hwm: st.hwm });
      }
      for (const acc of afterMark ? [whole, afterMark] : [whole]) {
        for (const p of seen) {
          const g = (acc[p.group] ??= { peakSumRssKiB: 0, peakSumPssKiB: 0, hwm: new Map() });
          g.hwm.set(p.pid, { kind: p.kind, hwm: Math.max(p.hwm, g.hwm.get(p.pid)?.hwm ?? 0) });
        }
        for (const [name, sum] of Object.entries(sums)) {
          acc[name].peakSumRssKiB = Math.max(acc[name].peakSumRssKiB, sum.rss);
          acc[name].peakSumPssKiB = Math.max(acc[name].peakSumPssKiB, sum.pss);
        }
      }
      samples++;
    };
    const checkMark = () => {
      if (!opts.markWhen || afterMark || child.pid === undefined) return;
      if (!opts.markWhen(Buffer.concat(out).toString('utf8') + Buffer.concat(err).toString('utf8'))) return;
      sample(); // the whole-run peaks up to now
      for (const pid of descendants(child.pid)) if (counted(pid)?.group) resetPeak(pid);
      afterMark = {};
      markSeconds = (performance.now() - t0) / 1000;
      sample();
    };
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (opts.echo) process.stdout.write(b);
      checkMark();
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.echo) process.stderr.write(b);
      checkMark();
    });
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const t = performance.now();
      sample();
      const took = performance.now() - t;
      samplerMs += took;
      timer = setTimeout(tick, Math.max(interval, took * (1 / SAMPLER_DUTY - 1)));
    };
    timer = setTimeout(tick, interval);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        wallSeconds: (performance.now() - t0) / 1000,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        samples,
        samplerSeconds: samplerMs / 1000,
        groups: summary(whole),
        afterMark: afterMark ? summary(afterMark) : null,
        markSeconds,
      });
    });
  });
}
