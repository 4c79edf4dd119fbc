import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoOptions } from './logger-options.js';
import { scrubText, scrubValue } from './redact.js';

describe('scrubText / scrubValue', () => {
  it('masks every E.164 number and the API key in URLs', () => {
    expect(scrubText('SMS to +15555550100 and +447700900123 via /api/X?code=secret&y=1')).toBe(
      'SMS to +*******0100 and +********0123 via /api/X?code=[REDACTED]&y=1',
    );
  });

  it('scrubs nested values and survives cycles', () => {
    const value: Record<string, unknown> = { to: '+15555550100', nested: [{ from: '+15555550199' }] };
    value.self = value;
    expect(scrubValue(value)).toEqual({ to: '+*******0100', nested: [{ from: '+*******0199' }], self: '[Circular]' });
  });
});

describe('pino options', () => {
  function capture(): { lines: string[]; stream: Writable } {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    return { lines, stream };
  }

  it('never writes secrets or full phone numbers', () => {
    const { lines, stream } = capture();
    const logger = pino(pinoOptions('test', { nodeEnv: 'test', logLevel: 'info', logFormat: 'json' }), stream);
    logger.info({ authToken: 'tok123', req: { headers: { authorization: 'Bearer abc.def' } }, to: '+15555550100' }, 'sent to +15555550100');
    logger.error({ err: new Error('failed for +15555550100') }, 'oops');
    const out = lines.join('');
    expect(out).not.toMatch(/tok123|abc\.def|\+15555550100/);
    expect(out).toContain('+*******0100');
    expect(out).not.toContain('at '); // no stack frames
  });
});
