/**
 * JSON Schemas (draft-07, for ajv) of the Kubernetes objects deploy/kubernetes/ uses: batch/v1 Job, v1 Pod and v1
 * PersistentVolumeClaim, written by hand from the Kubernetes API reference (v1.29+) for the fields those files use
 * and their neighbours. Strict like the API server's field validation (kubectl's default): an unknown field is an
 * error (additionalProperties: false), and enums, types, required fields and integer ranges are the API's.
 * A field the API has but this subset does not yet describe fails too: add it here from the reference.
 */
type Schema = Record<string, unknown>;

const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({ type: 'object', properties, required, additionalProperties: false });
const str: Schema = { type: 'string' };
const bool: Schema = { type: 'boolean' };
const int32: Schema = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
const nonNegative: Schema = { type: 'integer', minimum: 0, maximum: 2147483647 };
const strings: Schema = { type: 'array', items: str };
const stringMap: Schema = { type: 'object', additionalProperties: str };
const enumOf = (...values: string[]): Schema => ({ type: 'string', enum: values });
const arrayOf = (items: Schema, minItems = 0): Schema => ({ type: 'array', items, minItems });
/** resource.Quantity: an integer or a string like 500m, 8Gi, 1.5, 1e3 */
const quantity: Schema = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', pattern: '^[+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+)?$' },
  ],
};
/** RFC 1123 label (container, volume and port names) */
const dnsLabel: Schema = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 };
/** RFC 1123 subdomain (object names) */
const dnsSubdomain: Schema = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 253 };

const objectMeta = obj({ name: dnsSubdomain, generateName: str, namespace: dnsLabel, labels: stringMap, annotations: stringMap });

const resources = obj({ requests: { type: 'object', additionalProperties: quantity }, limits: { type: 'object', additionalProperties: quantity } });

const capabilities = obj({ add: strings, drop: strings });
const seccompProfile = obj({ type: enumOf('Localhost', 'RuntimeDefault', 'Unconfined'), localhostProfile: str }, ['type']);

const containerSecurityContext = obj({
  allowPrivilegeEscalation: bool,
  capabilities,
  privileged: bool,
  readOnlyRootFilesystem: bool,
  runAsNonRoot: bool,
  runAsUser: { type: 'integer', minimum: 0 },
  runAsGroup: { type: 'integer', minimum: 0 },
  seccompProfile,
});

const podSecurityContext = obj({
  runAsNonRoot: bool,
  runAsUser: { type: 'integer', minimum: 0 },
  runAsGroup: { type: 'integer', minimum: 0 },
  fsGroup: { type: 'integer', minimum: 0 },
  fsGroupChangePolicy: enumOf('OnRootMismatch', 'Always'),
  supplementalGroups: arrayOf({ type: 'integer', minimum: 0 }),
  seccompProfile,
});

const envVar = obj(
  {
    name: { type: 'string', minLength: 1 },
    value: str,
    valueFrom: obj({
      fieldRef: obj({ apiVersion: str, fieldPath: str }, ['fieldPath']),
      configMapKeyRef: obj({ name: str, key: str, optional: bool }, ['key']),
      secretKeyRef: obj({ name: str, key: str, optional: bool }, ['key']),
    }),
  },
  ['name'],
);

const volumeMount = obj(
  {
    name: dnsLabel,
    mountPath: { type: 'string', minLength: 1 },
    subPath: str,
    readOnly: bool,
    mountPropagation: enumOf('None', 'HostToContainer', 'Bidirectional'),
  },
  ['name', 'mountPath'],
);

const container = obj(
  {
    name: dnsLabel,
    image: str,
    imagePullPolicy: enumOf('Always', 'Never', 'IfNotPresent'),
    command: strings,
    args: strings,
    workingDir: str,
    env: arrayOf(envVar),
    resources,
    securityContext: containerSecurityContext,
    volumeMounts: arrayOf(volumeMount),
    terminationMessagePolicy: enumOf('File', 'FallbackToLogsOnError'),
  },
  ['name'],
);

const volume = obj(
  {
    name: dnsLabel,
    persistentVolumeClaim: obj({ claimName: { type: 'string', minLength: 1 }, readOnly: bool }, ['claimName']),
    configMap: obj({ name: str, optional: bool, defaultMode: int32, items: arrayOf(obj({ key: str, path: str, mode: int32 }, ['key', 'path'])) }),
    emptyDir: obj({ medium: enumOf('', 'Memory'), sizeLimit: quantity }),
  },
  ['name'],
);

const podSpec = obj(
  {
    restartPolicy: enumOf('Always', 'OnFailure', 'Never'),
    securityContext: podSecurityContext,
    containers: arrayOf(container, 1),
    initContainers: arrayOf(container),
    volumes: arrayOf(volume),
    nodeSelector: stringMap,
    serviceAccountName: str,
    terminationGracePeriodSeconds: { type: 'integer', minimum: 0 },
    activeDeadlineSeconds: { type: 'integer', minimum: 1 },
    priorityClassName: str,
  },
  ['containers'],
);

const podTemplateSpec = obj({ metadata: objectMeta, spec: podSpec });

const podFailurePolicyRule = obj(
  {
    action: enumOf('FailJob', 'FailIndex', 'Ignore', 'Count'),
    onExitCodes: obj({ containerName: str, operator: enumOf('In', 'NotIn'), values: arrayOf(int32, 1) }, ['operator', 'values']),
    onPodConditions: arrayOf(obj({ type: { type: 'string', minLength: 1 }, status: enumOf('True', 'False', 'Unknown') }, ['type'])),
  },
  ['action'],
);

const jobSpec = obj(
  {
    parallelism: nonNegative,
    completions: nonNegative,
    completionMode: enumOf('NonIndexed', 'Indexed'),
    backoffLimit: nonNegative,
    backoffLimitPerIndex: nonNegative,
    maxFailedIndexes: nonNegative,
    activeDeadlineSeconds: { type: 'integer', minimum: 1 },
    ttlSecondsAfterFinished: nonNegative,
    suspend: bool,
    podReplacementPolicy: enumOf('TerminatingOrFailed', 'Failed'),
    podFailurePolicy: obj({ rules: arrayOf(podFailurePolicyRule) }, ['rules']),
    manualSelector: bool,
    template: podTemplateSpec,
  },
  ['template'],
);

const typeMeta = (apiVersion: string, kind: string) => ({ apiVersion: { const: apiVersion }, kind: { const: kind } });

export const SCHEMAS: Record<string, Schema> = {
  'batch/v1 Job': obj({ ...typeMeta('batch/v1', 'Job'), metadata: objectMeta, spec: jobSpec }, ['apiVersion', 'kind', 'metadata', 'spec']),
  'v1 Pod': obj({ ...typeMeta('v1', 'Pod'), metadata: objectMeta, spec: podSpec }, ['apiVersion', 'kind', 'metadata', 'spec']),
  'v1 PersistentVolumeClaim': obj(
    {
      ...typeMeta('v1', 'PersistentVolumeClaim'),
      metadata: objectMeta,
      spec: obj({
        accessModes: arrayOf(enumOf('ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'), 1),
        resources: resources,
        storageClassName: str,
        volumeMode: enumOf('Filesystem', 'Block'),
        volumeName: str,
      }),
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  ),
};
