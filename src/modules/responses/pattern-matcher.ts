import { RE2JS } from 're2js';
import { ConversationTurn, PatternDefinition, PatternsDocument } from './responses.types';
import { compileKeyword, compileSafeRegex } from './safe-regex';

/** What the rules look at: the prompt (last user message) and, for chat, the whole conversation. */
export interface MatchInput {
  kind: 'chat' | 'completion';
  prompt: string;
  messages?: readonly ConversationTurn[];
}

/** A pattern that matched, and what its rule caught (for templates: `{{1}}`, `{{name}}`). */
export interface PatternMatch {
  pattern: PatternDefinition;
  /** Capture groups of the regex that matched, by number (1..) and by name; empty for a keyword. */
  groups: Record<string, string>;
}

interface CompiledPattern {
  definition: PatternDefinition;
  keywords: RegExp[];
  regexes: RE2JS[];
  roles: ReadonlySet<string> | null;
}

/**
 * A validated document compiled for matching. Immutable: a reload builds a new matcher and swaps
 * it in, so a request in flight keeps the one it started with. Patterns are tried by priority
 * (higher first), ties in file order; the first whose keyword or regex matches answers.
 */
export class PatternMatcher {
  private readonly ordered: readonly CompiledPattern[];

  constructor(readonly document: PatternsDocument) {
    this.ordered = document.patterns
      .map((definition, index) => ({ definition, index }))
      .sort((a, b) => (b.definition.priority ?? 0) - (a.definition.priority ?? 0) || a.index - b.index)
      .map(({ definition }) => compilePattern(definition));
    this.readsConversation = this.ordered.some((p) => p.roles !== null);
  }

  /** Whether any rule reads other turns than the prompt (`roles`): then the whole conversation decides. */
  readonly readsConversation: boolean;

  /** The pattern names in the order they are tried. */
  get order(): string[] {
    return this.ordered.map((p) => p.definition.name);
  }

  /** The first pattern that matches, or null (the fallback answers). */
  match(input: MatchInput): PatternDefinition | null {
    return this.matchWithGroups(input)?.pattern ?? null;
  }

  /** The first pattern that matches with the capture groups of its regex (regexes are tried first). */
  matchWithGroups(input: MatchInput): PatternMatch | null {
    for (const pattern of this.ordered) {
      const found = matchOne(pattern, input);
      if (found) return found;
    }
    return null;
  }

  /**
   * Every pattern that matches, in the order they are tried: when none of the first one's
   * replies fits the prompt (a template needs a value it lacks), the next one answers.
   */
  *matches(input: MatchInput): Generator<PatternMatch> {
    for (const pattern of this.ordered) {
      const found = matchOne(pattern, input);
      if (found) yield found;
    }
  }
}

function matchOne(pattern: CompiledPattern, input: MatchInput): PatternMatch | null {
  const text = targetText(pattern, input);
  for (const regex of pattern.regexes) {
    const m = regex.matcher(text);
    if (m.find()) return { pattern: pattern.definition, groups: groupsOf(m) };
  }
  return pattern.keywords.some((k) => k.test(text)) ? { pattern: pattern.definition, groups: {} } : null;
}

function groupsOf(m: ReturnType<RE2JS['matcher']>): Record<string, string> {
  const groups: Record<string, string> = {};
  for (let i = 1; i <= Math.min(m.groupCount(), 9); i++) {
    const value = m.group(i);
    if (value !== null) groups[String(i)] = value;
  }
  for (const [name, value] of Object.entries(m.getNamedGroups())) if (value !== null) groups[name] = value;
  return groups;
}

function compilePattern(definition: PatternDefinition): CompiledPattern {
  return {
    definition,
    keywords: (definition.match.keywords ?? []).map(compileKeyword),
    regexes: (definition.match.regex ?? []).map(compileSafeRegex),
    roles: definition.match.roles ? new Set(definition.match.roles.map((r) => r.toLowerCase())) : null,
  };
}

/**
 * Rules read a long text's beginning and end only (a pasted document's middle rarely says what is
 * asked, its first and last lines do): matching then costs the same for any prompt length.
 */
const MATCH_HEAD = 2_000;
const MATCH_TAIL = 2_000;

function bounded(text: string): string {
  return text.length <= MATCH_HEAD + MATCH_TAIL ? text : `${text.slice(0, MATCH_HEAD)}\n${text.slice(-MATCH_TAIL)}`;
}

function targetText(pattern: CompiledPattern, input: MatchInput): string {
  if (pattern.roles === null) return bounded(input.prompt);
  const turns: readonly ConversationTurn[] = input.messages ?? [{ role: 'user', content: input.prompt }];
  return bounded(
    turns
      .filter((turn) => pattern.roles!.has(turn.role.toLowerCase()))
      .map((turn) => turn.content)
      .join('\n'),
  );
}
