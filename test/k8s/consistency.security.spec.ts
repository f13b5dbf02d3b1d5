/**
 * Image pins, the hardened security context and Pod Security, which proxies the public port
 * believes about client addresses, and the Dockerfile agrees with the manifests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkPolicy, NetworkPolicyPeer } from 'kubernetes-types/networking/v1.js';
import { trustProxy } from '../../src/config/trust-proxy.field.js';
import {
  literalEnv,
  objects,
  ofKind,
  parseImage,
  rampartContainers,
  rampartWorkloads,
  ROOT,
  selects,
  template,
  workloads,
  type K8sObject,
} from './manifests.js';
import { allContainers, APP_UID, containerPort, podSpec, RENDERS } from './consistency.helpers.js';

describe.each(RENDERS)('%s manifests', (name) => {
  const objs: K8sObject[] = objects(name);
  const apps = rampartWorkloads(objs);

  it('pins every image to a version or digest, never `latest`', () => {
    for (const w of workloads(objs)) {
      for (const c of allContainers(w)) {
        const ref = parseImage(c.image ?? '');
        expect({
          image: c.image,
          pinned: Boolean(ref.digest) || (ref.tag !== undefined && ref.tag !== 'latest'),
        }).toEqual({ image: c.image, pinned: true });
      }
    }
  });

  it('reports the image tag as SERVICE_VERSION', () => {
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      expect(literalEnv(objs, c).SERVICE_VERSION).toBe(parseImage(c.image!).tag);
    }
  });

  it('runs rampart hardened: uid 10001, read-only root, no escalation, no capabilities, RuntimeDefault seccomp, /tmp the only writable path', () => {
    for (const w of apps) {
      const pod = podSpec(w);
      expect(pod.automountServiceAccountToken).toBe(false);
      const sa = objs.find(
        (o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName,
      );
      expect(sa?.automountServiceAccountToken).toBe(false);
      for (const c of rampartContainers(w)) {
        const sc = c.securityContext ?? {};
        expect(sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot).toBe(true);
        expect(sc.runAsUser ?? pod.securityContext?.runAsUser).toBe(APP_UID);
        expect(sc.readOnlyRootFilesystem).toBe(true);
        expect(sc.allowPrivilegeEscalation).toBe(false);
        expect(sc.privileged ?? false).toBe(false);
        expect(sc.capabilities?.drop).toContain('ALL');
        expect(sc.capabilities?.add ?? []).toEqual([]);
        expect((sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type).toBe(
          'RuntimeDefault',
        );
        expect(c.volumeMounts?.map((m) => m.mountPath)).toEqual(['/tmp']);
        const tmp = pod.volumes?.find((v) => v.name === c.volumeMounts![0]!.name);
        expect(tmp?.emptyDir?.sizeLimit).toBeDefined();
        expect(c.imagePullPolicy).not.toBe('Always');
      }
    }
  });

  it('believes X-Forwarded-For from the ingress it admits, and a hop count only where the NetworkPolicy admits nothing else', () => {
    const policies = ofKind<NetworkPolicy>(objs, 'NetworkPolicy');
    for (const w of apps) {
      const c = rampartContainers(w)[0]!;
      const trust = trustProxy().parse(literalEnv(objs, c).TRUST_PROXY ?? 'off');
      const http = containerPort(c, 'http')?.containerPort;
      // The `from` of every rule reaching the public port; undefined or [] admits everyone.
      const froms: (NetworkPolicyPeer[] | undefined)[] = policies
        .filter((p) => selects(p.spec?.podSelector, template(w).metadata?.labels))
        .flatMap((p) => p.spec?.ingress ?? [])
        .filter(
          (r) => !r.ports?.length || r.ports.some((p) => p.port === 'http' || p.port === http),
        )
        .map((r) => r.from);
      const where = w.metadata.name;
      // Another namespace (the ingress controller's) is admitted: unless its hop is believed,
      // every client behind it is one address, one rate-limit bucket.
      const fromIngress = froms.some((from) => from?.some((peer) => peer.namespaceSelector));
      expect({ where, fromIngress, trust }).not.toMatchObject({ fromIngress: true, trust: false });
      if (typeof trust === 'number') {
        // A hop count trusts whoever connects: only in-cluster selectors may reach the port.
        expect({ where, restricted: froms.length > 0 }).toEqual({ where, restricted: true });
        for (const from of froms) {
          expect({ where, from: from ?? [] }).not.toEqual({ where, from: [] });
          for (const peer of from ?? [])
            expect({ where, ipBlock: peer.ipBlock }).toEqual({ where });
        }
      }
    }
  });

  it('meets the restricted Pod Security profile with every container (dependencies included)', () => {
    for (const w of workloads(objs)) {
      const pod = podSpec(w);
      for (const c of allContainers(w)) {
        const sc = c.securityContext ?? {};
        const where = `${w.metadata.name}/${c.name}`;
        expect({ where, nonRoot: sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot }).toEqual({
          where,
          nonRoot: true,
        });
        expect({ where, escalation: sc.allowPrivilegeEscalation }).toEqual({
          where,
          escalation: false,
        });
        expect({ where, drop: sc.capabilities?.drop }).toEqual({ where, drop: ['ALL'] });
        expect({
          where,
          seccomp: (sc.seccompProfile ?? pod.securityContext?.seccompProfile)?.type,
        }).toEqual({ where, seccomp: 'RuntimeDefault' });
      }
    }
  });
});

describe('Dockerfile agrees with the manifests', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const deployment = rampartWorkloads(objects('base'))[0]!;
  const container = rampartContainers(deployment)[0]!;

  it('runs as the numeric user the pod spec requires', () => {
    expect(/^USER (\d+)/m.exec(dockerfile)?.[1]).toBe(String(APP_UID));
    expect(podSpec(deployment).securityContext?.runAsUser).toBe(APP_UID);
  });

  it('EXPOSEs exactly the container ports', () => {
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)?.[1]?.split(/\s+/).map(Number).sort();
    expect(exposed).toEqual((container.ports ?? []).map((p) => p.containerPort).sort());
  });

  it('starts with an exec-form ENTRYPOINT that preloads the telemetry bootstrap', () => {
    const entrypoint = JSON.parse(
      /^ENTRYPOINT (\[.+\])$/m.exec(dockerfile)?.[1] ?? 'null',
    ) as string[];
    expect(entrypoint).toEqual([
      'node',
      '--no-allocation-site-pretenuring',
      '--import',
      './dist/bundle/telemetry.bootstrap.js',
      'dist/bundle/main.js',
    ]);
    expect(container.command).toBeUndefined();
  });
});
