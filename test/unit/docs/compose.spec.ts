import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { envShapeOf } from '@app/shared/config/reference.js';
import { parseEnv } from '@app/shared/config/env.js';
import { notifierEnvSchema } from '../../../apps/notifier/src/config/notifier.config.js';
import { webhooksEnvSchema } from '../../../apps/webhooks/src/config/webhooks.config.js';

// Docker cannot run on our machines, so docker-compose.yml is checked for structure instead:
// every service can be built or pulled, health-gated dependencies have health checks, and each
// app's environment is exactly what its configuration schema accepts.
interface Service {
  image?: string;
  build?: { context: string; target?: string; args?: Record<string, string> };
  environment?: Record<string, string | number>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

const compose = parse(readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;
/** Read by Node itself, not by the apps' configuration. */
const NODE_RUNTIME_VARIABLES = ['NODE_OPTIONS'];

/** `${NAME:-default}` as compose resolves it with NAME unset. */
function resolved(environment: Service['environment'] = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, String(v).replace(/\$\{[A-Za-z_]+:-([^}]*)\}/g, '$1')]));
}

describe('docker-compose.yml', () => {
  it.each(Object.keys(services))('service %s has an image or a build', (name) => {
    const s = services[name];
    expect(Boolean(s.image) !== Boolean(s.build)).toBe(true);
  });

  it('health-gates only on services that have a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy')
          expect({ dep, healthcheck: Boolean(services[dep].healthcheck) }).toEqual({ dep, healthcheck: true });
      }
    }
  });

  it.each([
    ['webhooks', webhooksEnvSchema, 'PORT', 'INTERNAL_PORT'],
    ['notifier', notifierEnvSchema, undefined, 'HEALTH_PORT'],
  ] as const)(
    '%s: the environment passes its configuration schema, health is probed on the internal port, ports are published',
    (name, schema, publicPortVar, internalPortVar) => {
      const service = services[name];
      const env = resolved(service.environment);
      const known = new Set([...Object.keys(envShapeOf(schema)), ...NODE_RUNTIME_VARIABLES]);
      expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
      expect(() => parseEnv(schema, env)).not.toThrow();
      expect(service.build?.args?.APP).toBe(name);
      expect(service.build?.args?.HEALTHCHECK_URL).toBe(`http://127.0.0.1:${env[internalPortVar]}/health`);
      // The internal port (health, metrics) only on the host's loopback; the webhook endpoints on every interface.
      expect(service.ports).toContain(`127.0.0.1:${env[internalPortVar]}:${env[internalPortVar]}`);
      if (publicPortVar) expect(service.ports).toContain(`${env[publicPortVar]}:${env[publicPortVar]}`);
    },
  );

  it('points the apps at the stand-ins and the stand-ins at each other consistently', () => {
    const webhooks = resolved(services.webhooks.environment);
    const gateway = resolved(services.gateway.environment);
    const oidc = resolved(services.oidc.environment);
    expect(gateway.OIDC_ISSUER).toBe(`${webhooks.Oidc__ServerUrl}/realms/${webhooks.Oidc__Realm}`);
    expect(oidc.OIDC_PUBLIC_URL).toBe(webhooks.Oidc__ServerUrl);
    expect(webhooks.GRAPHQL_API_URL).toBe(`http://gateway:${gateway.GATEWAY_PORT}/graphql`);
  });

  it('mounts only files of the repository that exist', () => {
    const mounts = Object.values(services).flatMap((s) => s.volumes ?? []);
    expect(mounts.length).toBeGreaterThan(0);
    for (const mount of mounts) {
      const source = mount.split(':')[0]!;
      expect({ source, exists: existsSync(new URL(`../../../${source}`, import.meta.url)) }).toEqual({ source, exists: true });
    }
  });

  it('has Prometheus scrape the three apps where they serve /metrics', () => {
    const prometheus = parse(readFileSync(new URL('../../../ops/prometheus/prometheus.yml', import.meta.url), 'utf8')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((t) => t.targets));
    expect(targets.sort()).toEqual([
      `broadcaster:${resolved(services.broadcaster.environment).HEALTH_PORT}`,
      `notifier:${resolved(services.notifier.environment).HEALTH_PORT}`,
      `webhooks:${resolved(services.webhooks.environment).INTERNAL_PORT}`,
    ]);
  });
});

describe('Grafana dashboard (ops/grafana)', () => {
  const dashboard = JSON.parse(
    readFileSync(new URL('../../../ops/grafana/dashboards/nudges-messaging-edge.json', import.meta.url), 'utf8'),
  ) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const documented = readFileSync(new URL('../../../docs/operations.md', import.meta.url), 'utf8');

  it('queries only metrics the services document (docs/operations.md)', () => {
    const names = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) => [...t.expr.matchAll(/nudges_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''))),
      ),
    );
    expect(names.size).toBeGreaterThan(8);
    const undocumented = [...names].filter((n) => !documented.includes(`\`${n}\``) && !n.startsWith('nudges_process_'));
    expect(undocumented).toEqual([]);
  });
});
