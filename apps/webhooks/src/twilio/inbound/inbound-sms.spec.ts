import { InvalidInboundSmsError, parseForm, toInboundSms } from './inbound-sms.js';

const form = (text: string) => parseForm(Buffer.from(text, 'utf8'));

describe('parseForm / toInboundSms', () => {
  it('decodes UTF-8 form fields, + as space and percent escapes', () => {
    const sms = toInboundSms(form('From=%2B15555550100&To=%2B15555550999&Body=Hola+%F0%9F%98%80+%26+%3C%3E&MessageSid=SM0123'));
    expect(sms).toMatchObject({ from: '+15555550100', to: '+15555550999', body: 'Hola 😀 & <>', messageSid: 'SM0123' });
  });

  it('keeps every value of a repeated parameter, in order, for the signature', () => {
    expect(form('A=2&A=1&B=x').A).toEqual(['2', '1']);
  });

  it.each([
    ['Body=hi', 'From is required'],
    ['From=%2B1555&From=%2B1666&Body=hi', 'From must appear once'],
    ['From=%2B15555550100', 'Body is required'],
    ['From=%2B15555550100&Body=a&Body=b', 'Body must appear once'],
    ['From=%2B15555550100&Body=a&MessageSid=SM%20x', 'MessageSid is malformed'],
  ])('rejects %s', (text, message) => {
    expect(() => toInboundSms(form(text))).toThrow(new InvalidInboundSmsError(message));
  });

  it('accepts an empty Body and a missing MessageSid', () => {
    expect(toInboundSms(form('From=%2B15555550100&Body='))).toEqual({ from: '+15555550100', body: '', params: expect.anything() });
  });

  it('keeps Twilio’s OptOutType only when it is one Twilio defines', () => {
    const base = 'From=%2B15555550100&Body=Arret';
    expect(toInboundSms(form(`${base}&OptOutType=STOP`)).optOutType).toBe('STOP');
    expect(toInboundSms(form(`${base}&OptOutType=start`)).optOutType).toBe('START');
    expect(toInboundSms(form(`${base}&OptOutType=HELP`)).optOutType).toBe('HELP');
    expect(toInboundSms(form(`${base}&OptOutType=NONSENSE`))).not.toHaveProperty('optOutType');
    expect(toInboundSms(form(`${base}&OptOutType=STOP&OptOutType=START`))).not.toHaveProperty('optOutType');
  });

  it('does not let a parameter named __proto__ reach the prototype', () => {
    const params = form('__proto__=x&From=%2B1&Body=b');
    expect(params['__proto__']).toBe('x');
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });
});
