import { RE2JS } from 're2js';

/**
 * A user regex compiled with RE2 (re2js): matching time is linear in the input, so no rule can
 * hang a request, whatever it looks like (`(a+)+$` included). Case-insensitive, like keywords.
 * Throws RE2's syntax error (e.g. for backreferences or lookaround, which RE2 does not support).
 */
export function compileSafeRegex(source: string): RE2JS {
  const known = compiled.get(source);
  if (known) return known;
  const regex = RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
  // A pattern is compiled to validate the document, then again to match: the second is this copy
  // (an RE2JS pattern is immutable; each match makes its own matcher). Bounded: sources a reload
  // no longer uses must not pile up, so the memory starts over when it is full.
  if (compiled.size >= MAX_REMEMBERED_REGEXES) compiled.clear();
  compiled.set(source, regex);
  return regex;
}

/** Compiled regexes remembered by source, so that each is compiled once per load. */
const compiled = new Map<string, RE2JS>();
const MAX_REMEMBERED_REGEXES = 1024;

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
