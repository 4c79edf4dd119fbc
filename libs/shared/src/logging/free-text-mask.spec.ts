import { exceptionText, headerText, maskText, stackTraceSummary } from './free-text-mask.js';

describe('dead-letter masking', () => {
  it.each([
    ["The 'To' number +15555550123 is not a valid phone number.", "The 'To' number +*******0123 is not a valid phone number."],
    ["The 'To' number 5555550123 is not a valid phone number.", "The 'To' number ******0123 is not a valid phone number."],
    ['to +1 (555) 555-0123 (21211)', 'to +*******0123 (21211)'],
    ['to (555) 555-0123', 'to ******0123'],
    ['to 555-555-0123.', 'to ******0123.'],
    ['"PhoneNumber":"\\u002B15555550123"', '"PhoneNumber":"\\u002B*******0123"'],
    ['"PhoneNumber":"\\u002b15555550123"', '"PhoneNumber":"\\u002b*******0123"'],
    ['user15555550123', 'user*******0123'],
    ['Server=db;User Id=nudges;Password=s3cr3t;', 'Server=db;User Id=nudges;Password=[REDACTED];'],
    ['{"apiKey":"abc123"}', '{"apiKey":"[REDACTED]"}'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: [REDACTED]'],
    ['redis://default:hunter2@cache:6379', 'redis://[REDACTED]@cache:6379'],
    ['key sk_live_51HxYz and whsec_abc', 'key [REDACTED] and [REDACTED]'],
    ['https://edge/sms?code=k3y&x=1', 'https://edge/sms?code=[REDACTED]&x=1'],
  ])('%s', (text, expected) => {
    expect(maskText(text)).toBe(expected);
  });

  it('leaves GUIDs, Twilio codes and short numbers alone', () => {
    const text = 'dead letter 00000000-0000-4000-8000-123456789012 failed with 21211 after 3 attempts';
    expect(maskText(text)).toBe(text);
  });

  it('counts a stack trace instead of showing it', () => {
    expect(stackTraceSummary('   at A.B()\n   at C.D()\n')).toBe('(stack trace omitted, 2 lines)');
    expect(stackTraceSummary('   at A.B()')).toBe('(stack trace omitted, 1 line)');
    expect(stackTraceSummary(null)).toBeNull();
    expect(stackTraceSummary('  ')).toBeNull();
  });

  it('cuts stack frames out of an exception message', () => {
    expect(
      exceptionText(
        'Boom for +15555550123\n   at A.B() in /src/A.cs:line 3\n--- End of stack trace from previous location ---\n   at C.D()',
      ),
    ).toBe('Boom for +*******0123 (stack trace omitted, 3 lines)');
    expect(exceptionText('plain')).toBe('plain');
    expect(exceptionText(null)).toBeNull();
  });

  it('redacts credential headers and keeps a trace context readable', () => {
    expect(headerText('Authorization', 'Basic dXNlcjpwYXNz')).toBe('[REDACTED]');
    expect(headerText('x-api-key', 'k')).toBe('[REDACTED]');
    expect(headerText('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(
      '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    );
    expect(headerText('traceparent', 'to 15555550123')).toBe('to *******0123');
    expect(headerText('who', '+15555550123')).toBe('+*******0123');
  });
});
