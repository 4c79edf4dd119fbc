import fc from 'fast-check';
import { encodeEvent } from '@app/shared/codec/encode.js';
import { encodeSendSmsKey } from '@app/shared/codec/keys.js';
import { SendSmsTemplate, sendSmsKeyOf } from './send-sms-template.js';

describe('SendSmsTemplate', () => {
  const replacements = { clientName: 'Café "Ñ" <&>', smsBody: 'Big sale 😀\nline two \\n {count}', link: 'https://app.example.com/cafe' };

  it('writes exactly what the codec writes, for any phone number and locale', () => {
    const template = new SendSmsTemplate('AnnouncementTemplate', replacements);
    fc.assert(
      fc.property(fc.string({ minLength: 1, unit: 'grapheme' }), fc.constantFrom('en-US', 'es-ES', '', 'fr'), (phoneNumber, locale) => {
        const expected = encodeEvent({
          $type: 'notification.sendSms',
          phoneNumber,
          resourceKey: 'AnnouncementTemplate',
          locale,
          replacements,
        });
        expect(template.encode(phoneNumber, locale)).toBe(expected);
      }),
    );
  });

  it('keeps $type first and the replacements untouched', () => {
    const value = new SendSmsTemplate('AnnouncementTemplate', replacements).encode('+15555550100', 'es-ES');
    expect(value.startsWith('{"$type":"notification.sendSms","PhoneNumber":"+15555550100"')).toBe(true);
    expect(JSON.parse(value)).toEqual({
      $type: 'notification.sendSms',
      PhoneNumber: '+15555550100',
      ResourceKey: 'AnnouncementTemplate',
      Locale: 'es-ES',
      Replacements: replacements,
    });
  });
});

describe('sendSmsKeyOf', () => {
  it('writes exactly what encodeSendSmsKey writes, for any recipient id', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (id) => {
        expect(sendSmsKeyOf(id)).toBe(encodeSendSmsKey(id));
      }),
    );
    expect(sendSmsKeyOf('U3Vic2NyaWJlcjox')).toBe('{"EventType":"SendSms","Recipient":"U3Vic2NyaWJlcjox"}');
  });
});
