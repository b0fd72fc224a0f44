/**
 * deploy/kubernetes/*.yaml: every document parses, is valid against the Kubernetes API schema of its kind
 * (k8s-schema.ts, strict on unknown fields) and agrees with the CLI and with the other manifests (shards, paths,
 * volumes, the image).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { SCHEMAS } from './k8s-schema';

const DIR = join(import.meta.dirname, '../../deploy/kubernetes');

interface Container {
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  restartPolicy?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  containers: Container[];
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean }; emptyDir?: { medium?: string } }[];
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}
interface Job extends K8sObject {
  spec: { completionMode?: string; completions?: number; parallelism?: number; backoffLimitPerIndex?: number; template: { spec: PodSpec } };
}

function parse(text: string, file: string): K8sObject[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`${file} document ${i + 1}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJS() as K8sObject;
  });
}

const ajv = new Ajv({ allErrors: true });
const validators = new Map(Object.entries(SCHEMAS).map(([key, schema]) => [key, ajv.compile(schema)]));

/** The schema errors of `o` ([] when valid), or why it has no schema. */
function schemaErrors(o: K8sObject): string[] {
  const validate = validators.get(`${o.apiVersion} ${o.kind}`);
  if (!validate) return [`no schema for ${o.apiVersion} ${o.kind}`];
  if (validate(o)) return [];
  return (validate.errors ?? []).map((e) => `${e.dataPath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const objects = files.flatMap((f) => parse(readFileSync(join(DIR, f), 'utf8'), f).map((o) => ({ file: f, o })));
const byName = (kind: string, name: string) => {
  const found = objects.find(({ o }) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/kubernetes/`);
  return found.o;
};
const extract = byName('Job', 'i3d-extract') as Job;
const merge = byName('Job', 'i3d-merge') as Job;

/** The value after `flag` in args. */
const flag = (args: string[] | undefined, name: string) => {
  const i = (args ?? []).indexOf(name);
  return i < 0 ? undefined : args?.[i + 1];
};
/** Bytes of a memory quantity such as 8Gi or 512Mi. */
function bytes(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(q);
  if (!m) throw new Error(`unexpected quantity ${q}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}
/** The volume mounted at the longest mountPath that holds `path` (an absolute path in the container). */
function mountOf(pod: PodSpec, path: string) {
  const c = pod.containers[0];
  const mounts = (c.volumeMounts ?? []).filter((m) => path === m.mountPath || path.startsWith(posix.join(m.mountPath, '/')));
  return mounts.sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

describe('deploy/kubernetes manifests', () => {
  it('parse, and every document is valid against the Kubernetes API schema of its kind', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const { file, o } of objects) expect(schemaErrors(o), `${file}: ${o.kind} ${o.metadata?.name}`).toEqual([]);
  });

  it('the schema check catches broken manifests', () => {
    const broken = (edit: (j: Job) => void): string[] => {
      const j = structuredClone(extract);
      edit(j);
      return schemaErrors(j);
    };
    expect(broken(() => undefined)).toEqual([]);
    expect(broken((j) => (j.spec.completionMode = 'Index')).join()).toMatch(/completionMode.*allowed values/);
    expect(broken((j) => ((j.spec as Record<string, unknown>).backofLimitPerIndex = 2)).join()).toMatch(/additional properties.*backofLimitPerIndex/);
    expect(broken((j) => ((j.spec as Record<string, unknown>).completions = '8')).join()).toMatch(/completions should be integer/);
    expect(broken((j) => (j.spec.template.spec.containers = [])).join()).toMatch(/containers should NOT have fewer than 1 items/);
    expect(broken((j) => (j.spec.template.spec.restartPolicy = 'never')).join()).toMatch(/restartPolicy/);
    expect(broken((j) => (j.spec.template.spec.containers[0].resources = { limits: { memory: '8 GiB' } })).join()).toMatch(/memory/);
    expect(broken((j) => (j.apiVersion = 'batch/v2')).join()).toMatch(/no schema|apiVersion/);
  });

  it('extract-job.yaml is an Indexed Job whose shard count reaches the CLI', () => {
    const { spec } = extract;
    const pod = spec.template.spec;
    const c = pod.containers[0];
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.completions).toBeGreaterThanOrEqual(1);
    expect(spec.parallelism).toBeLessThanOrEqual(spec.completions as number);
    // backoffLimitPerIndex and podFailurePolicy need restartPolicy Never
    expect(pod.restartPolicy).toBe('Never');
    // Kubernetes sets JOB_COMPLETION_INDEX; JOB_COMPLETIONS is ours and must equal completions
    expect(c.env?.find((e) => e.name === 'JOB_COMPLETIONS')?.value).toBe(String(spec.completions));
    expect(c.env?.some((e) => e.name === 'JOB_COMPLETION_INDEX')).toBe(false);
    expect(flag(c.args, '--shards')).toBe('$(JOB_COMPLETIONS)');
    expect(flag(c.args, '--list')).toBe('/data/videos/list.txt');
    expect(flag(c.args, '--out')).toBe('/data/features');
    expect(c.args).not.toContain('--shard');
  });

  it('extract-job.yaml mounts what its arguments read and write: data read-write, models read-only, a /dev/shm', () => {
    const pod = extract.spec.template.spec;
    const c = pod.containers[0];
    const volume = (name: string) => pod.volumes?.find((v) => v.name === name);
    for (const m of c.volumeMounts ?? []) expect(volume(m.name), `volume ${m.name}`).toBeDefined();
    const out = mountOf(pod, flag(c.args, '--out') as string);
    expect(out && !out.readOnly).toBe(true);
    expect(mountOf(pod, flag(c.args, '--list') as string)?.name).toBe(out?.name);
    for (const model of ['--rgb', '--flow']) {
      const m = mountOf(pod, flag(c.args, model) as string);
      expect(m?.readOnly, model).toBe(true);
      expect(volume(m?.name as string)?.persistentVolumeClaim?.readOnly, model).toBe(true);
    }
    expect(volume(mountOf(pod, '/dev/shm')?.name as string)?.emptyDir?.medium).toBe('Memory');
  });

  it('extract-job.yaml fits one pod: 4 CPUs, a memory limit with headroom over the ~4.5 GB peak, requests <= limits', () => {
    const { requests = {}, limits = {} } = extract.spec.template.spec.containers[0].resources ?? {};
    expect(Number(limits.cpu)).toBeGreaterThanOrEqual(2);
    expect(bytes(limits.memory)).toBeGreaterThanOrEqual(6 * 2 ** 30);
    expect(bytes(requests.memory)).toBeLessThanOrEqual(bytes(limits.memory));
    expect(Number(requests.cpu)).toBeLessThanOrEqual(Number(limits.cpu));
  });

  it('every pod runs as a non-root user without privilege escalation', () => {
    const pods = objects.map(({ o }) => (o.kind === 'Job' ? (o as Job).spec.template.spec : o.kind === 'Pod' ? (o.spec as unknown as PodSpec) : null));
    for (const pod of pods.filter((p) => p !== null)) {
      expect(pod.securityContext?.runAsNonRoot).toBe(true);
      expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(
        pod.containers.every((c) => (c as { securityContext?: { allowPrivilegeEscalation?: boolean } }).securityContext?.allowPrivilegeEscalation === false),
      ).toBe(true);
    }
  });

  it('merge-job.yaml merges what the extract Job wrote; every claim a pod mounts is declared, every image is the same', () => {
    const e = extract.spec.template.spec.containers[0].args;
    const m = merge.spec.template.spec.containers[0].args;
    expect(m?.[0]).toBe('merge');
    expect(flag(m, '--out')).toBe(flag(e, '--out'));
    expect(flag(m, '--list')).toBe(flag(e, '--list'));
    const claims = new Set(objects.filter(({ o }) => o.kind === 'PersistentVolumeClaim').map(({ o }) => o.metadata.name));
    const pods = objects.flatMap(({ o }) => (o.kind === 'Job' ? [(o as Job).spec.template.spec] : o.kind === 'Pod' ? [o.spec as unknown as PodSpec] : []));
    for (const pod of pods) for (const v of pod.volumes ?? []) if (v.persistentVolumeClaim) expect(claims).toContain(v.persistentVolumeClaim.claimName);
    expect(new Set(pods.flatMap((p) => p.containers.map((c) => c.image)))).toEqual(new Set(['REGISTRY/i3d-extract:TAG']));
  });
});
