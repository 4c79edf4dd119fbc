import { readFileSync, writeFileSync } from 'node:fs';
import { configReferenceTable, envShapeOf } from '@app/shared/config/reference.js';
import { broadcasterEnvSchema } from '../../../apps/broadcaster/src/config/broadcaster.config.js';
import { notifierEnvSchema } from '../../../apps/notifier/src/config/notifier.config.js';
import { webhooksEnvSchema } from '../../../apps/webhooks/src/config/webhooks.config.js';
import { cliEnvSchema } from '../../../apps/cli/src/cli.env.js';

// docs/configuration.md carries a table generated from the apps' env schemas. This test fails when
// they drift; `UPDATE_DOCS=1 npm run jest -- test/unit/docs` rewrites the table.
const DOC = new URL('../../../docs/configuration.md', import.meta.url);
const BEGIN = '<!-- config-table:begin (generated from the env schemas; UPDATE_DOCS=1 npm run jest -- test/unit/docs) -->';
const END = '<!-- config-table:end -->';

describe('docs/configuration.md', () => {
  it('lists every variable of the apps exactly as the schemas define them', () => {
    const table = configReferenceTable([
      { app: 'webhooks', schema: webhooksEnvSchema },
      { app: 'notifier', schema: notifierEnvSchema },
      { app: 'broadcaster', schema: broadcasterEnvSchema },
      { app: 'cli', schema: cliEnvSchema },
    ]);
    const doc = readFileSync(DOC, 'utf8');
    const start = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    expect(start).toBeGreaterThanOrEqual(0);
    const current = doc.slice(start + BEGIN.length, end).trim();
    if (process.env.UPDATE_DOCS === '1' && current !== table) {
      writeFileSync(DOC, `${doc.slice(0, start + BEGIN.length)}\n${table}\n${doc.slice(end)}`);
      return;
    }
    expect(current).toBe(table);
  });
});

describe('.env.example', () => {
  it('documents every variable of the apps', () => {
    const example = readFileSync(new URL('../../../.env.example', import.meta.url), 'utf8');
    const documented = new Set([...example.matchAll(/^#?\s*([A-Za-z][A-Za-z0-9_]*)=/gm)].map((m) => m[1]));
    const names = [webhooksEnvSchema, notifierEnvSchema, broadcasterEnvSchema, cliEnvSchema].flatMap((schema) =>
      Object.keys(envShapeOf(schema)),
    );
    expect(names.filter((name) => !documented.has(name))).toEqual([]);
  });
});
