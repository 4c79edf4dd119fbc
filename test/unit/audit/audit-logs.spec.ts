// scripts/audit-logs.mjs run as the suites run it (a separate node process over a results
// folder): it must flag every kind of leak, mask what it prints, and pass a clean log.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { TEST_SECRETS } from '../../support/test-secrets.js';

const script = resolve('scripts/audit-logs.mjs');
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3ZWJob29rcyJ9.c2lnbmF0dXJlLWJ5dGVz';

function audit(logs: Record<string, string>, options: { args?: string[]; writtenAt?: Date } = {}) {
  const results = mkdtempSync(join(tmpdir(), 'audit-logs-'));
  mkdirSync(join(results, 'logs'));
  for (const [name, text] of Object.entries(logs)) {
    writeFileSync(join(results, 'logs', name), text);
    if (options.writtenAt) utimesSync(join(results, 'logs', name), options.writtenAt, options.writtenAt);
  }
  try {
    const run = spawnSync(process.execPath, [script, ...(options.args ?? [])], {
      env: { ...process.env, NUDGES_RESULTS_DIR: results },
      encoding: 'utf8',
    });
    const lines = run.stdout.trim().split('\n');
    return {
      status: run.status,
      findings: lines.slice(0, -1),
      summary: JSON.parse(lines.at(-1)!) as Record<string, unknown>,
      stdout: run.stdout,
    };
  } finally {
    rmSync(results, { recursive: true, force: true });
  }
}

const line = (msg: string) => `${JSON.stringify({ level: 30, name: 'webhooks', msg })}\n`;

describe('scripts/audit-logs.mjs', () => {
  it('passes clean logs, masked phone numbers and redacted values included', () => {
    const result = audit({
      'webhooks-clean.log':
        line('SMS command answered from +*******0100') + line('url /api/X?code=[REDACTED]') + line('authorization Bearer [REDACTED]'),
      'notifier-clean.log': line('delivered to +*******1234 at 2026-06-12T10:00:00+02:00, sid SM0123456789abcdef, 15550100 items'),
    });
    expect(result.status).toBe(0);
    expect(result.findings).toEqual([]);
    expect(result.summary).toEqual({ audit: 'logs', files: 2, lines: 3 + 1, findings: 0 });
  });

  it.each(Object.entries(TEST_SECRETS))('finds the %s', (name, value) => {
    const result = audit({ 'webhooks-leak.log': line('fine') + line(`config ${value} oops`) });
    expect(result.status).toBe(1);
    expect(result.findings).toContainEqual(expect.stringMatching(new RegExp(`webhooks-leak\\.log:2: secret:${name} `)));
    expect(result.stdout).not.toContain(value);
  });

  it.each([
    ['jwt', `token ${JWT}`],
    ['bearer-token', 'authorization: Bearer abcdef0123456789'],
    ['phone-number', 'SMS to +15550100200 failed'],
    ['phone-number', '{"to":"+447700900123"}'],
  ])('finds a %s (%s)', (kind, text) => {
    const result = audit({ 'notifier-leak.log': line(text) });
    expect(result.status).toBe(1);
    expect(result.findings).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`notifier-leak\\.log:1: ${kind} `))]));
    expect(result.summary).toMatchObject({ files: 1, lines: 1 });
    expect(result.stdout).not.toMatch(/abcdef0123456789|15550100200|447700900123|c2lnbmF0dXJlLWJ5dGVz/);
  });

  it('with --since, leaves out logs of earlier runs (scripts/test.mjs audits its own run)', () => {
    const logs = { 'webhooks-old.log': line('SMS to +15550100200') };
    const since = String(Date.now() - 60_000);
    expect(audit(logs, { args: ['--since', since], writtenAt: new Date(Date.now() - 3_600_000) })).toMatchObject({
      status: 0,
      summary: { files: 0 },
    });
    expect(audit(logs, { args: ['--since', since] })).toMatchObject({ status: 1, summary: { files: 1, findings: 1 } });
  });

  it('passes when no suite wrote logs yet', () => {
    const results = mkdtempSync(join(tmpdir(), 'audit-logs-'));
    try {
      const run = spawnSync(process.execPath, [script], { env: { ...process.env, NUDGES_RESULTS_DIR: results }, encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(JSON.parse(run.stdout.trim())).toEqual({ audit: 'logs', files: 0, lines: 0, findings: 0 });
    } finally {
      rmSync(results, { recursive: true, force: true });
    }
  });
});
