import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The alert rules are code: promtool checks their syntax and runs their unit tests
// (ops/prometheus/alerts.test.yml: each alert fires on the series it is for and stays quiet on a
// near miss). `npm test` installs promtool (Debian's prometheus package) first.
const dir = fileURLToPath(new URL('../../../ops/prometheus', import.meta.url));
const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: dir, encoding: 'utf8' });

describe('Prometheus alert rules (ops/prometheus)', () => {
  it('are valid rules', () => {
    const run = promtool('check', 'rules', 'alerts.yml');
    expect(run.stdout + run.stderr).toContain('SUCCESS: 7 rules found');
    expect(run.status).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect(run.stdout + run.stderr).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
