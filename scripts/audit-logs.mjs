#!/usr/bin/env node
// Secrets and PII audit of every log line the apps wrote during the whole-system suites
// (`${NUDGES_RESULTS_DIR:-.test-results}/logs/*`, written by test/support/app-process.ts).
// Fails (exit 1) when a line carries a secret the tests use (test/support/test-secrets.json), a
// JWT, a `Bearer` value or a full E.164 phone number; masked forms (`+*******1234`) are fine.
// Prints `file:line: <kind> <masked>` per finding, then one JSON summary line.
// Usage: node scripts/audit-logs.mjs [--since <epoch ms>] [logs-dir]
//   --since: only files written since then (scripts/test.mjs: this run's logs, not older runs').
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SECRETS = JSON.parse(readFileSync(join(repo, 'test/support/test-secrets.json'), 'utf8')).secrets;

const PATTERNS = [
  { kind: 'jwt', regex: /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  // A bearer value that is not already redacted.
  { kind: 'bearer-token', regex: /\bBearer\s+(?!\[REDACTED\]|\*)[A-Za-z0-9._~+/=-]{8,}/gi },
  { kind: 'phone-number', regex: /(?<!\d)\+\d{8,15}(?!\d)/g },
];

/** Every finding in one line of text: `{ kind, value }`. */
export function findingsInLine(line, secrets = SECRETS) {
  const found = [];
  for (const [name, value] of Object.entries(secrets)) {
    if (value && line.includes(value)) found.push({ kind: `secret:${name}`, value });
  }
  for (const { kind, regex } of PATTERNS) {
    for (const match of line.matchAll(regex)) found.push({ kind, value: match[0] });
  }
  return found;
}

/** Enough of a value to find it again, never enough to use it. */
export function mask(value) {
  if (value.length <= 6) return '*'.repeat(value.length);
  return `${value.slice(0, 3)}${'*'.repeat(Math.min(value.length - 5, 12))}${value.slice(-2)}`;
}

export function auditDir(dir, sinceMs = 0) {
  const files = listFiles(dir).filter((file) => statSync(file).mtimeMs >= sinceMs);
  const summary = { audit: 'logs', files: files.length, lines: 0, findings: 0 };
  const report = [];
  for (const file of files) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (line === '') return;
      summary.lines += 1;
      for (const f of findingsInLine(line)) {
        summary.findings += 1;
        report.push(`${relative(process.cwd(), file)}:${i + 1}: ${f.kind} ${mask(f.value)}`);
      }
    });
  }
  return { summary, report };
}

function listFiles(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return []; // no suite wrote logs yet
  }
  return entries
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

const isMain = process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const results = resolve(process.env.NUDGES_RESULTS_DIR ?? join(repo, '.test-results'));
  const args = process.argv.slice(2);
  const sinceAt = args.indexOf('--since');
  const since = sinceAt >= 0 ? Number(args.splice(sinceAt, 2)[1]) : 0;
  const dir = args[0] ? resolve(args[0]) : join(results, 'logs');
  const { summary, report } = auditDir(dir, since);
  const shown = report.slice(0, 200);
  for (const line of shown) process.stdout.write(`${line}\n`);
  if (report.length > shown.length) process.stdout.write(`… and ${report.length - shown.length} more\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(summary.findings > 0 ? 1 : 0);
}
