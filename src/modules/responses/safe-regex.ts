import { RE2JS } from 're2js';

/**
 * A user regex compiled with RE2 (re2js): matching time is linear in the input, so no rule can
 * hang a request, whatever it looks like (`(a+)+$` included). Case-insensitive, like keywords.
 * Throws RE2's syntax error (e.g. for backreferences or lookaround, which RE2 does not support).
 */
export function compileSafeRegex(source: string): RE2JS {
  return RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/**
 * A keyword as a matcher: case-insensitive; a keyword that starts (ends) with a letter, digit or `_`
 * must start (end) on a word boundary, so "code" matches "Code:" but not "decode" or "codes";
 * "c++" matches "C++ templates". Whitespace inside a keyword matches any run of whitespace.
 * Built from an escaped literal, so the JS engine cannot backtrack catastrophically on it.
 */
export function compileKeyword(keyword: string): RegExp {
  const trimmed = keyword.trim();
  const body = trimmed
    .split(/\s+/u)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('\\s+');
  const before = WORD_CHAR.test(trimmed[0] ?? '') ? '(?<![\\p{L}\\p{N}_])' : '';
  const after = WORD_CHAR.test(trimmed[trimmed.length - 1] ?? '') ? '(?![\\p{L}\\p{N}_])' : '';
  return new RegExp(`${before}${body}${after}`, 'iu');
}
