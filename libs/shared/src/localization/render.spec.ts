import { placeholdersOf, renderTemplate, resolveLocale } from './render.js';

describe('renderTemplate', () => {
  it('replaces {name} placeholders from the replacements', () => {
    expect(renderTemplate('Sent to {count} subscribers', { count: '47' })).toBe('Sent to 47 subscribers');
    expect(renderTemplate('{a}{b}{a}', { a: '1', b: '2' })).toBe('121');
  });

  it('leaves a placeholder without a value as written', () => {
    expect(renderTemplate('Hi {name}, {missing}', { name: 'Ana' })).toBe('Hi Ana, {missing}');
    expect(renderTemplate('Hi {name}')).toBe('Hi {name}');
  });

  it('turns the two characters \\n into a line break', () => {
    expect(renderTemplate('one\\ntwo\\n{x}', { x: 'three' })).toBe('one\ntwo\nthree');
  });

  it('inserts values literally: no second substitution, no \\n conversion inside values', () => {
    expect(renderTemplate('{a} {b}', { a: '{b}', b: 'B' })).toBe('{b} B');
    expect(renderTemplate('{body}', { body: 'C:\\new' })).toBe('C:\\new');
    expect(renderTemplate('{x}', { x: '$& $1' })).toBe('$& $1');
  });

  it('ignores inherited properties and non-string values', () => {
    expect(renderTemplate('{toString} {constructor}', {})).toBe('{toString} {constructor}');
    expect(renderTemplate('{n}', { n: null } as unknown as Record<string, string>)).toBe('{n}');
  });

  it('does not treat braces around non-word text as placeholders', () => {
    expect(renderTemplate('{ count } {a-b} {}', { count: 'x', 'a-b': 'y' })).toBe('{ count } {a-b} {}');
  });
});

describe('placeholdersOf', () => {
  it('lists each placeholder once, in order', () => {
    expect(placeholdersOf('{b} and {a} and {b}\\n')).toEqual(['b', 'a']);
    expect(placeholdersOf('none')).toEqual([]);
  });
});

describe('resolveLocale', () => {
  it('keeps a served locale', () => {
    expect(resolveLocale('es-ES')).toBe('es-ES');
    expect(resolveLocale('en-US')).toBe('en-US');
  });

  it('matches case-insensitively and accepts _ for -', () => {
    expect(resolveLocale('ES-es')).toBe('es-ES');
    expect(resolveLocale('es_ES')).toBe('es-ES');
    expect(resolveLocale(' en-us ')).toBe('en-US');
  });

  it('falls back to the same language', () => {
    expect(resolveLocale('es-MX')).toBe('es-ES');
    expect(resolveLocale('es')).toBe('es-ES');
    expect(resolveLocale('en-GB')).toBe('en-US');
  });

  it('falls back to en-US for other languages and empty or junk values', () => {
    expect(resolveLocale('fr-FR')).toBe('en-US');
    expect(resolveLocale('')).toBe('en-US');
    expect(resolveLocale('not a locale')).toBe('en-US');
    expect(resolveLocale(undefined as unknown as string)).toBe('en-US');
  });

  it('works over any set of locales', () => {
    expect(resolveLocale('pt-BR', ['en-US', 'pt-PT'])).toBe('pt-PT');
    expect(resolveLocale('de-DE', ['en-US', 'pt-PT'], 'pt-PT')).toBe('pt-PT');
  });
});
