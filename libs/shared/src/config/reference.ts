import { z } from 'zod';

/** One environment variable as the configuration reference shows it. */
export interface EnvFieldDoc {
  name: string;
  required: boolean;
  default?: string;
  description: string;
  sensitive: boolean;
}

interface FieldMeta {
  description?: string;
  sensitive?: boolean;
}

/** The object shape behind an app's env schema (through `.transform`/`.pipe` wrappers). */
export function envShapeOf(schema: z.ZodType): Record<string, z.ZodType> {
  let current: unknown = schema;
  for (let depth = 0; depth < 5; depth++) {
    const candidate = current as { shape?: Record<string, z.ZodType>; in?: unknown };
    if (candidate.shape) return candidate.shape;
    current = candidate.in;
  }
  throw new Error('not an object schema');
}

/** Reads each field's metadata; required/default come from parsing an unset value. */
export function describeEnvFields(shape: Record<string, z.ZodType>): EnvFieldDoc[] {
  return Object.entries(shape).map(([name, field]) => {
    const meta = (z.globalRegistry.get(field) ?? {}) as FieldMeta;
    const unset = field.safeParse(undefined);
    const fallback = unset.success ? unset.data : undefined;
    return {
      name,
      required: !unset.success,
      ...(fallback === undefined || fallback === '' ? {} : { default: Array.isArray(fallback) ? fallback.join(',') : String(fallback) }),
      description: meta.description ?? '',
      sensitive: meta.sensitive === true,
    };
  });
}

/** A Markdown table of every variable of every app (one column per app). */
export function configReferenceTable(apps: { app: string; schema: z.ZodType }[]): string {
  const byName = new Map<string, { doc: EnvFieldDoc; apps: Map<string, boolean> }>();
  for (const { app, schema } of apps) {
    for (const doc of describeEnvFields(envShapeOf(schema))) {
      const row = byName.get(doc.name) ?? { doc, apps: new Map<string, boolean>() };
      row.apps.set(app, doc.required);
      byName.set(doc.name, row);
    }
  }
  const header = `| Variable | ${apps.map((a) => a.app).join(' | ')} | Default | Description |`;
  const rule = `|---|${apps.map(() => ':-:').join('|')}|---|---|`;
  const rows = [...byName.values()].map(({ doc, apps: used }) => {
    const cells = apps.map(({ app }) => (used.has(app) ? (used.get(app) ? 'required' : 'optional') : '—'));
    const description = `${doc.description}${doc.sensitive ? ' **(secret)**' : ''}`.replace(/\|/g, '\\|');
    return `| \`${doc.name}\` | ${cells.join(' | ')} | ${doc.default === undefined ? '' : `\`${doc.default}\``} | ${description} |`;
  });
  return [header, rule, ...rows].join('\n');
}
