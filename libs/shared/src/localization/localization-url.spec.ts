import { parseLocalizationUrl } from './localization-url.js';

describe('parseLocalizationUrl', () => {
  it.each([
    ['http://localization-api:8888', { target: 'localization-api:8888', secure: false }],
    ['http://127.0.0.1:50051/', { target: '127.0.0.1:50051', secure: false }],
    ['HTTP://Host:1', { target: 'host:1', secure: false }],
    ['http://localization-api', { target: 'localization-api:80', secure: false }],
    ['https://loc.example.com', { target: 'loc.example.com:443', secure: true }],
    ['localhost:50051', { target: 'localhost:50051', secure: false }],
    ['http://[::1]:50051', { target: '[::1]:50051', secure: false }],
    ['[::1]:50051', { target: '[::1]:50051', secure: false }],
  ])('accepts %s', (url, expected) => {
    expect(parseLocalizationUrl(url)).toEqual(expected);
  });

  it.each(['', 'localhost', 'ftp://host:1', 'http://', 'http://host:1/api', 'http://host:1?x=1', 'host:0', 'host:70000', 'a b:1'])(
    'rejects %j',
    (url) => {
      expect(parseLocalizationUrl(url)).toBeUndefined();
    },
  );
});
