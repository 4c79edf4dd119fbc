import { comparableBody } from './comparable-body.js';

const same = (a: string, b: string) => expect(comparableBody(a)).toBe(comparableBody(b));
const different = (a: string, b: string) => expect(comparableBody(a)).not.toBe(comparableBody(b));

describe('comparableBody', () => {
  it('survives Smart Encoding: quotes, dashes, ellipsis, spaces', () => {
    same('Acme says: “Two-for-one” — today only… don’t miss it', 'Acme says: "Two-for-one" - today only... don\'t miss it');
    same('Price:\u00A010\u202F€ – «offer»', 'Price: 10 € - "offer"');
    same('Ｆｕｌｌ width', 'Full width');
    same('zero\u200Bwidth', 'zerowidth');
  });

  it('survives Link Shortening: any http(s) link is the same link', () => {
    same('Acme says: sale!\nhttps://app.example.com/acme-cafe?utm_source=sms&x=1', 'Acme says: sale!\nhttps://twil.io/Ab3dE9');
    same('See http://a.example/x and https://b.example/y.', 'See https://s.example/1 and https://s.example/2.');
    different('See https://a.example/x', 'See https://a.example/x and https://b.example/y');
    different('See https://a.example/x', 'See a.example/x');
  });

  it('collapses whitespace and trims, and keeps everything else', () => {
    same('  two\n\nlines\tand  spaces ', 'two lines and spaces');
    different('Your code is 111', 'Your code is 222');
    different('Hello', 'hello');
    same('Family 👩‍👩‍👧 party', 'Family 👩‍👩‍👧 party');
    different('Family 👩‍👩‍👧', 'Family 👩👩👧');
  });
});
