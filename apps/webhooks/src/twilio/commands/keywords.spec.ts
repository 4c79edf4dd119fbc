import { KeywordMatcher, TWILIO_DEFAULT_KEYWORDS } from './keywords.js';

describe('KeywordMatcher', () => {
  const matcher = new KeywordMatcher({ ...TWILIO_DEFAULT_KEYWORDS, optOut: [...TWILIO_DEFAULT_KEYWORDS.optOut, 'BAJA'] });

  it.each([
    ['STOP', 'optOut'],
    ['STOPALL', 'optOut'],
    ['UNSUBSCRIBE', 'optOut'],
    ['CANCEL', 'optOut'],
    ['END', 'optOut'],
    ['QUIT', 'optOut'],
    ['REVOKE', 'optOut'],
    ['OPTOUT', 'optOut'],
    ['BAJA', 'optOut'],
    ['START', 'optIn'],
    ['UNSTOP', 'optIn'],
    ['YES', 'optIn'],
    ['HELP', 'help'],
    ['INFO', 'help'],
  ])('%s is %s', (keyword, kind) => expect(matcher.kindOf(keyword)).toBe(kind));

  it.each(['STOP PLEASE', 'YES!', 'COMMANDS', 'CONFIRM', 'UNSUB 1', '', 'STOPP'])('%p is no keyword', (keyword) =>
    expect(matcher.kindOf(keyword)).toBeUndefined(),
  );

  it('lets Twilio’s OptOutType decide, for words configured only in Advanced Opt-Out', () => {
    expect(matcher.kindOf('ARRET', 'STOP')).toBe('optOut');
    expect(matcher.kindOf('STOP', 'START')).toBe('optIn');
    expect(matcher.kindOf('AIDE', 'HELP')).toBe('help');
    expect(matcher.kindOf('ARRET', 'SOMETHING')).toBeUndefined();
  });
});
