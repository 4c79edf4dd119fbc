// A minimal RFC 8259 parser that keeps what JSON.parse throws away: property order, duplicate
// names, the raw text of numbers, and whether a string decoded to well-formed UTF-16.
// It accepts exactly what Utf8JsonReader accepts with default options: no comments, no trailing
// commas, whitespace limited to space/tab/CR/LF, depth at most 64.

export type JsonNode =
  | { kind: 'object'; props: JsonProperty[] }
  | { kind: 'array'; items: JsonNode[] }
  | { kind: 'string'; value: string; wellFormed: boolean }
  | { kind: 'number'; raw: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' };

export interface JsonProperty {
  name: string;
  /** False when the name's escapes decode to a lone surrogate (C# cannot unescape it). */
  nameWellFormed: boolean;
  value: JsonNode;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
    this.name = 'JsonSyntaxError';
  }
}

const MAX_DEPTH = 64;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const SHORT_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function parseOrderedJson(text: string): JsonNode {
  const parser = new Parser(text);
  const node = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos !== text.length) parser.fail('trailing content after the JSON value');
  return node;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntaxError(message, this.pos);
  }

  skipWhitespace(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos]!)) this.pos++;
  }

  value(depth: number): JsonNode {
    this.skipWhitespace();
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(depth + 1);
    if (ch === '[') return this.array(depth + 1);
    if (ch === '"') return this.string();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.number();
    for (const [word, node] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return node;
      }
    }
    return this.fail(ch === undefined ? 'unexpected end of input' : `unexpected character ${JSON.stringify(ch)}`);
  }

  private object(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('maximum depth 64 exceeded');
    this.pos++;
    const props: JsonProperty[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', props };
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a property name');
      const name = this.string();
      this.skipWhitespace();
      this.expect(':');
      props.push({ name: name.value, nameWellFormed: name.wellFormed, value: this.value(depth) });
      if (this.separatorEnds('}')) return { kind: 'object', props };
    }
  }

  private array(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('maximum depth 64 exceeded');
    this.pos++;
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value(depth));
      if (this.separatorEnds(']')) return { kind: 'array', items };
    }
  }

  /** After a member: true at the closing bracket, false after a comma (a trailing comma then fails). */
  private separatorEnds(close: string): boolean {
    this.skipWhitespace();
    const ch = this.text[this.pos];
    if (ch === close) {
      this.pos++;
      return true;
    }
    this.expect(',');
    return false;
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) this.fail(`expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  private number(): JsonNode {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('invalid number');
    this.pos += match[0].length;
    return { kind: 'number', raw: match[0] };
  }

  private string(): { kind: 'string'; value: string; wellFormed: boolean } {
    this.pos++;
    let value = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '"') break;
      if (ch < ' ') this.fail('unescaped control character in string');
      if (ch === '\\') value += this.escape();
      else {
        value += ch;
        this.pos++;
      }
    }
    this.pos++;
    return { kind: 'string', value, wellFormed: isWellFormedUtf16(value) };
  }

  private escape(): string {
    const letter = this.text[this.pos + 1];
    if (letter === 'u') {
      const hex = this.text.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\u escape');
      this.pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const decoded = letter === undefined ? undefined : SHORT_ESCAPES[letter];
    if (decoded === undefined) this.fail('invalid escape');
    this.pos += 2;
    return decoded;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedUtf16(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

const LITERALS: ReadonlyArray<[string, JsonNode]> = [
  ['true', { kind: 'boolean', value: true }],
  ['false', { kind: 'boolean', value: false }],
  ['null', { kind: 'null' }],
];
