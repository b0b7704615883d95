/*
 * Simple arithmetic found in a message ("What is 2+2?", "12 times 7", "15% of 80", "square root of
 * 144", "solve 3x + 7 = 22"), computed exactly as a calculator would, so the simulated model gets
 * sums right. A small recursive-descent parser over a bounded expression: no eval, no surprises.
 */

export interface Arithmetic {
  /** The expression as written back (`2 + 2`, `15% of 80`, `3x + 7 = 22`). */
  expression: string;
  /** Its value, rounded to at most 10 significant digits (for an equation: the unknown's value). */
  value: number;
  /** The numbers in it, in order (for tool arguments `a`, `b`). */
  operands: number[];
  /** For an equation: the unknown's name. */
  unknown?: string;
}

const MAX_EXPRESSION = 200;

export function arithmeticIn(message: string): Arithmetic | null {
  const text = message.slice(0, 2_000);
  return percentOf(text) ?? rootOf(text) ?? squared(text) ?? linearEquation(text) ?? expression(text);
}

/** A number as a person writes it: no float noise (0.1 + 0.2 = 0.3), integers without a decimal point. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Number(value.toPrecision(10));
  return Math.abs(rounded) >= 1e15 ? rounded.toExponential() : String(rounded);
}

function percentOf(text: string): Arithmetic | null {
  const m = /(-?\d+(?:\.\d+)?)\s*(?:%|percent)\s+of\s+(-?\d+(?:\.\d+)?)/i.exec(text);
  if (!m) return null;
  const [p, of] = [Number(m[1]), Number(m[2])];
  return { expression: `${m[1]}% of ${m[2]}`, value: round((p / 100) * of), operands: [p, of] };
}

function rootOf(text: string): Arithmetic | null {
  const m = /square root of\s+(\d+(?:\.\d+)?)/i.exec(text) ?? /√\s*(\d+(?:\.\d+)?)/.exec(text);
  if (!m) return null;
  return { expression: `√${m[1]}`, value: round(Math.sqrt(Number(m[1]))), operands: [Number(m[1])] };
}

function squared(text: string): Arithmetic | null {
  const m = /(-?\d+(?:\.\d+)?)\s+(squared|cubed)\b/i.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  return { expression: `${m[1]} ${m[2].toLowerCase()}`, value: round(m[2].toLowerCase() === 'squared' ? n * n : n * n * n), operands: [n] };
}

/** `3x + 7 = 22`, `2y - 4 = 10`, `x/2 = 8`: one unknown, linear, solved exactly. */
function linearEquation(text: string): Arithmetic | null {
  const m = /(?<![\w.])(-?\d*(?:\.\d+)?)\s*\*?\s*([a-z])(?![\w])\s*(?:\/\s*(\d+(?:\.\d+)?))?\s*([+-])?\s*(\d+(?:\.\d+)?)?\s*=\s*(-?\d+(?:\.\d+)?)/i.exec(text);
  // `x = 5` states a value; an equation to solve has a coefficient, a divisor or a constant.
  if (!m || (m[1] === '' && !m[3] && !m[5])) return null;
  const coefficient = (m[1] === '' || m[1] === undefined ? 1 : m[1] === '-' ? -1 : Number(m[1])) / (m[3] ? Number(m[3]) : 1);
  const constant = m[5] ? (m[4] === '-' ? -1 : 1) * Number(m[5]) : 0;
  if (coefficient === 0 || Number.isNaN(coefficient)) return null;
  const right = Number(m[6]);
  return {
    expression: m[0].trim().replace(/\s+/g, ' '),
    value: round((right - constant) / coefficient),
    operands: [coefficient, constant, right],
    unknown: m[2],
  };
}

const WORD_OPERATORS: Array<[RegExp, string]> = [
  [/\bmultiplied by\b/gi, '*'],
  [/\bdivided by\b/gi, '/'],
  [/\btimes\b/gi, '*'],
  [/\bplus\b/gi, '+'],
  [/\bminus\b/gi, '-'],
  [/\bover\b/gi, '/'],
  [/×/g, '*'],
  [/÷/g, '/'],
  [/\*\*/g, '^'],
  [/(\d)\s*x\s*(?=\d)/g, '$1*'],
];

function expression(text: string): Arithmetic | null {
  let normalized = text;
  for (const [pattern, op] of WORD_OPERATORS) normalized = normalized.replace(pattern, op);
  // The longest run of number-and-operator characters with an operator between two numbers.
  let best: string | null = null;
  for (const m of normalized.matchAll(/[-(]*\s*\d+(?:\.\d+)?(?:\s*[-+*/^%]\s*[(\s]*-?\d+(?:\.\d+)?\s*\)*)+/g)) {
    // Dates (2024-05-01, 05/01/2024) and phone-like numbers are not sums.
    if (/^\s*\d+[-/]\d+[-/]\d+\s*$/.test(m[0])) continue;
    if (m[0].length <= MAX_EXPRESSION && (best === null || m[0].length > best.length)) best = m[0];
  }
  if (best === null) return null;
  const source = balance(best.trim());
  const parser = new Parser(source);
  const value = parser.parse();
  if (value === null || !Number.isFinite(value)) return null;
  const written = source
    .replace(/\s*([-+*/^%])\s*/g, ' $1 ')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .trim()
    .replace(/^- /, '-')
    .replace(/([-+*/^%(]) - (?=\d)/g, '$1 -');
  return { expression: written, value: round(value), operands: parser.operands };
}

/** Drops unmatched parentheses at the edges of an expression cut out of a sentence. */
function balance(expr: string): string {
  let out = expr;
  while (out.startsWith('(') && (out.match(/\(/g)?.length ?? 0) > (out.match(/\)/g)?.length ?? 0)) out = out.slice(1).trim();
  while (out.endsWith(')') && (out.match(/\)/g)?.length ?? 0) > (out.match(/\(/g)?.length ?? 0)) out = out.slice(0, -1).trim();
  return out;
}

function round(value: number): number {
  return Number(value.toPrecision(12));
}

/** expr := term (('+'|'-') term)*; term := power (('*'|'/'|'%') power)*; power := unary ('^' power)?; unary := '-' unary | atom. */
class Parser {
  private pos = 0;
  readonly operands: number[] = [];
  private depth = 0;

  constructor(private readonly src: string) {}

  parse(): number | null {
    try {
      const value = this.expr();
      this.space();
      return this.pos === this.src.length ? value : null;
    } catch {
      return null;
    }
  }

  private space(): void {
    while (this.src[this.pos] === ' ') this.pos++;
  }

  private expr(): number {
    let value = this.term();
    for (;;) {
      this.space();
      const op = this.src[this.pos];
      if (op !== '+' && op !== '-') return value;
      this.pos++;
      value = op === '+' ? value + this.term() : value - this.term();
    }
  }

  private term(): number {
    let value = this.power();
    for (;;) {
      this.space();
      const op = this.src[this.pos];
      if (op !== '*' && op !== '/' && op !== '%') return value;
      this.pos++;
      const right = this.power();
      if ((op === '/' || op === '%') && right === 0) throw new Error('division by zero');
      value = op === '*' ? value * right : op === '/' ? value / right : value % right;
    }
  }

  private power(): number {
    const base = this.unary();
    this.space();
    if (this.src[this.pos] !== '^') return base;
    this.pos++;
    return base ** this.power();
  }

  private unary(): number {
    this.space();
    if (this.src[this.pos] === '-') {
      this.pos++;
      return -this.unary();
    }
    if (this.src[this.pos] === '(') {
      if (++this.depth > 20) throw new Error('too deep');
      this.pos++;
      const value = this.expr();
      this.space();
      if (this.src[this.pos] !== ')') throw new Error('unbalanced');
      this.pos++;
      this.depth--;
      return value;
    }
    const m = /^\d+(?:\.\d+)?/.exec(this.src.slice(this.pos));
    if (!m) throw new Error('number expected');
    this.pos += m[0].length;
    const n = Number(m[0]);
    this.operands.push(n);
    return n;
  }
}
