import { Writable } from 'node:stream';
import { pino } from 'pino';
import { pinoOptions } from './logger-options.js';
import { scrubJsonLine, scrubLogObject, scrubText, scrubValue } from './redact.js';

describe('scrubText / scrubValue', () => {
  it('masks every E.164 number and the API key in URLs', () => {
    expect(scrubText('SMS to +15555550100 and +447700900123 via /api/X?code=secret&y=1')).toBe(
      'SMS to +*******0100 and +********0123 via /api/X?code=[REDACTED]&y=1',
    );
  });

  it('removes the API key however the query spells its name (found by the fuzz suite)', () => {
    for (const url of [
      '/a?%63ode=k3y',
      '/a?c%6Fde=k3y',
      '/a?code[]=k3y',
      '/a?code[a]=k3y',
      '/a?code%5Ba%5D=k3y',
      '/a?x=1%26code=k3y',
      '/a?x=1%26code%3Dk3y',
      '/a?CODE=k3y',
    ]) {
      expect(scrubText(url)).not.toContain('k3y');
      expect(JSON.parse(scrubJsonLine(JSON.stringify({ url })))).toEqual({ url: expect.not.stringContaining('k3y') });
    }
    expect(scrubText('/a?decode=1&codex=2')).toBe('/a?decode=1&codex=2');
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

  it('masks what bindings, class instances and nested errors carry, and keeps every line valid JSON', () => {
    const { lines, stream } = capture();
    const logger = pino(pinoOptions('test', { nodeEnv: 'test', logLevel: 'info', logFormat: 'json' }), stream).child({
      caller: '+15555550111',
    });
    class Envelope {
      constructor(
        readonly to: string,
        readonly url: string,
      ) {}
    }
    const wrapped = Object.assign(new Error('upstream said +15555550122'), { detail: 'x' });
    logger.info({ envelope: new Envelope('+15555550133', '/api/X?code=se"cr\\et&y=1'), nested: [{ cause: wrapped }] }, 'done');
    const [line] = lines;
    expect(line).not.toMatch(/\+1555555011|\+1555555012|\+1555555013|se\\"cr|et&y/);
    const parsed = JSON.parse(line as string);
    expect(parsed).toMatchObject({ caller: '+*******0111', envelope: { to: '+*******0133', url: '/api/X?code=[REDACTED]&y=1' } });
    expect(parsed.nested[0].cause).toEqual({ type: 'Error', message: 'upstream said +*******0122' });
  });
});

describe('scrubJsonLine / scrubLogObject', () => {
  it('stops the key at the end of its JSON string', () => {
    const line = JSON.stringify({ url: '/a?code=k1', other: 'b?Code=k2"x', n: 1 });
    expect(JSON.parse(scrubJsonLine(line))).toEqual({ url: '/a?code=[REDACTED]', other: 'b?Code=[REDACTED]', n: 1 });
  });

  it('passes objects that are not plain through untouched (no deep copy of sockets and requests)', () => {
    const socketLike = new (class Socket {
      readonly peer = '+15555550100';
    })();
    const scrubbed = scrubLogObject({ res: socketLike, list: [{ to: '+15555550100' }] });
    expect(scrubbed['res']).toBe(socketLike);
    expect(scrubbed['list']).toEqual([{ to: '+*******0100' }]);
  });
});
