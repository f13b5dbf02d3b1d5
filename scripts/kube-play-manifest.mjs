// Prints a `podman kube play` manifest for one rampart Deployment of a kustomize overlay:
//   node scripts/kube-play-manifest.mjs OVERLAY DEPLOYMENT IMAGE PORT ADMIN_PORT PROBE_PORT
// podman runs the pod spec as written (env, envFrom ConfigMap, securityContext, runAsUser) but
// has no cluster around it, so this drops what only a cluster provides: container ports (host
// networking), probes and the preStop hook (podman 4 does not know the sleep action), and the
// Secrets and in-cluster addresses (the app falls back to embedded PGlite, no Redis, no OTLP;
// ADMIN_TOKEN becomes a throwaway literal, since the Secret it references is not played).
import { execFileSync } from 'node:child_process';
import { parseAllDocuments, stringify } from 'yaml';

const [overlay, name, image, port, adminPort, probePort] = process.argv.slice(2);
if (!overlay || !name || !image || !port || !adminPort || !probePort) {
  console.error(
    'usage: kube-play-manifest.mjs OVERLAY DEPLOYMENT IMAGE PORT ADMIN_PORT PROBE_PORT',
  );
  process.exit(2);
}
const docs = parseAllDocuments(
  execFileSync('kubectl', ['kustomize', overlay], { encoding: 'utf8' }),
).map((d) => d.toJS());
const deployment = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === name);
if (!deployment) throw new Error(`no Deployment ${name} in ${overlay}`);
const pod = deployment.spec.template.spec;
const configMaps = new Set();
deployment.spec.replicas = 1;
for (const c of pod.containers) {
  c.image = image;
  c.imagePullPolicy = 'Never';
  delete c.ports;
  delete c.startupProbe;
  delete c.livenessProbe;
  delete c.readinessProbe;
  delete c.lifecycle;
  // Embedded PGlite stands in for the dev PostgreSQL here and needs ~1.1 GiB (OOM at 1 GiB).
  c.resources.limits.memory = '2Gi';
  c.resources.requests.memory = '2Gi';
  for (const from of c.envFrom ?? []) if (from.configMapRef) configMaps.add(from.configMapRef.name);
  // podman 4 resolves only metadata.name of the downward API; the others become literals.
  c.env = (c.env ?? []).filter(
    (e) =>
      e.name !== 'DATABASE_URL' &&
      !e.valueFrom?.secretKeyRef &&
      (!e.valueFrom?.fieldRef || e.valueFrom.fieldRef.fieldPath === 'metadata.name'),
  );
  c.env.push({ name: 'POD_NAMESPACE', value: 'podman' }, { name: 'NODE_NAME', value: 'podman' });
  // $(VAR) must refer to variables defined earlier: keep OTEL_RESOURCE_ATTRIBUTES last.
  const attrs = c.env.findIndex((e) => e.name === 'OTEL_RESOURCE_ATTRIBUTES');
  if (attrs >= 0) c.env.push(...c.env.splice(attrs, 1));
}
// podman 4 lets envFrom win over env, so the overrides go into the ConfigMap itself.
const overrides = {
  PORT: port,
  ADMIN_PORT: adminPort,
  PROBE_PORT: probePort,
  ADMIN_TOKEN: 'kube-play-throwaway-token',
  HOST: '127.0.0.1',
  ADMIN_HOST: '127.0.0.1',
  REDIS_URL: '',
  BACKEND_URLS: '',
  OTEL_SDK_DISABLED: 'true',
};
const maps = docs.filter((d) => d.kind === 'ConfigMap' && configMaps.has(d.metadata.name));
for (const cm of maps) Object.assign(cm.data, overrides);
const out = [...maps, deployment];
process.stdout.write(out.map((d) => stringify(d)).join('---\n'));
