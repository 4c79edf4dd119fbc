import { fitSms } from './reply-renderer.js';
import { twimlReply } from './twiml.js';

describe('twimlReply', () => {
  it('is an empty <Response/> without text', () => {
    expect(twimlReply()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(twimlReply('  ')).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('escapes markup characters and keeps quotes, emoji and line breaks', () => {
    expect(twimlReply('a <b> & "c" \'d\' 😀\nx')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>a &lt;b&gt; &amp; "c" \'d\' 😀\nx</Message></Response>',
    );
  });

  it('drops characters XML cannot carry instead of failing', () => {
    expect(twimlReply('a\u0001b\uFFFEc\uD800d')).toContain('<Message>abcd</Message>');
  });
});

describe('fitSms', () => {
  it('leaves 1600 characters alone and cuts longer text to 1600 with an ellipsis', () => {
    const exact = '😀'.repeat(1600);
    expect(fitSms(exact)).toBe(exact);
    const cut = fitSms('x'.repeat(1700));
    expect([...cut]).toHaveLength(1600);
    expect(cut.endsWith('x…')).toBe(true);
  });
});
