import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { MatchRulesDto, PatternDto, PatternsDocumentDto, PatternsOverlayDto, StructuredOutputDto } from './dto/patterns.dto';
import { PatternValidationError } from './pattern-errors';
import { PatternDefinition, PatternsDocument, PatternsOverlay } from './responses.types';
import { compileSafeRegex } from './safe-regex';

/*
 * One validation for every way patterns arrive (file, admin API): shape by the DTO decorators,
 * then the rules decorators cannot express. Errors name the field path, e.g.
 * `patterns[2].responses: must contain at least 1 element`.
 */

const VALIDATE_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true } as const;

/** Parses YAML text into plain data; a syntax error becomes a PatternValidationError with the line. */
export function parsePatternsYaml(text: string): unknown {
  if (text.trim() === '') throw new PatternValidationError(['the file is empty'], 'invalid responses file');
  try {
    return parseYaml(text, { prettyErrors: true, uniqueKeys: true, maxAliasCount: 100 });
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new PatternValidationError([`YAML syntax error: ${message}`], 'invalid responses file');
  }
}

/** Validates a whole document (file contents or `PUT /admin/patterns` body). */
export function validatePatternsDocument(plain: unknown): PatternsDocument {
  if (!isMapping(plain)) {
    throw new PatternValidationError(['the document must be a mapping with `patterns` and `fallback`']);
  }
  const dto = plainToInstance(PatternsDocumentDto, plain);
  const shapeIssues = flattenErrors(validateSync(dto, VALIDATE_OPTIONS));
  if (shapeIssues.length > 0) throw new PatternValidationError(shapeIssues);
  const doc = normalizeDocument(dto);
  const issues = doc.patterns.flatMap((p, i) => ruleIssues(p, `patterns[${i}]`));
  for (const key of ['integer_range', 'number_range'] as const) {
    const range = doc.structured_output?.[key];
    if (range && range[0] > range[1]) issues.push(`structured_output.${key}: the minimum ${range[0]} is above the maximum ${range[1]}`);
  }
  issues.push(...duplicateNameIssues(doc.patterns));
  if (issues.length > 0) throw new PatternValidationError(issues);
  return doc;
}

/** Validates one pattern (`POST` / `PUT /admin/patterns/{name}` body); paths are relative to it. */
export function validatePattern(plain: unknown): PatternDefinition {
  if (!isMapping(plain)) throw new PatternValidationError(['the pattern must be a mapping'], 'invalid pattern');
  const dto = plainToInstance(PatternDto, plain);
  const shapeIssues = flattenErrors(validateSync(dto, VALIDATE_OPTIONS));
  if (shapeIssues.length > 0) throw new PatternValidationError(shapeIssues, 'invalid pattern');
  const pattern = normalizePattern(dto);
  const issues = ruleIssues(pattern, '');
  if (issues.length > 0) throw new PatternValidationError(issues, 'invalid pattern');
  return pattern;
}

/** Validates an overlay file's contents (every field optional; an empty file is no overlay). */
export function validatePatternsOverlay(plain: unknown): PatternsOverlay {
  if (plain === null || plain === undefined) return {};
  if (!isMapping(plain)) throw new PatternValidationError(['the overlay must be a mapping (patterns, removed, fallback, mode)'], 'invalid overlay file');
  const dto = plainToInstance(PatternsOverlayDto, plain);
  const shapeIssues = flattenErrors(validateSync(dto, VALIDATE_OPTIONS));
  if (shapeIssues.length > 0) throw new PatternValidationError(shapeIssues, 'invalid overlay file');
  const patterns = dto.patterns?.map(normalizePattern);
  const issues = (patterns ?? []).flatMap((p, i) => ruleIssues(p, `patterns[${i}]`));
  issues.push(...duplicateNameIssues(patterns ?? []));
  if (issues.length > 0) throw new PatternValidationError(issues, 'invalid overlay file');
  return {
    ...(dto.mode !== undefined ? { mode: dto.mode } : {}),
    ...(dto.structured_output !== undefined ? { structured_output: normalizeStructured(dto.structured_output) } : {}),
    ...(patterns !== undefined ? { patterns } : {}),
    ...(dto.removed !== undefined ? { removed: [...dto.removed] } : {}),
    ...(dto.fallback !== undefined ? { fallback: { responses: [...dto.fallback.responses] } } : {}),
    ...(dto.reasoning !== undefined ? { reasoning: { responses: [...dto.reasoning.responses] } } : {}),
  };
}

/** The document as YAML, the way the admin API writes a new file. */
export function stringifyPatternsDocument(doc: PatternsDocument): string {
  return stringifyYaml(doc, { lineWidth: 0, blockQuote: 'literal' });
}

function ruleIssues(p: PatternDefinition, path: string): string[] {
  const at = (field: string) => (path === '' ? field : `${path}.${field}`);
  const issues: string[] = [];
  const keywords = p.match.keywords ?? [];
  const regexes = p.match.regex ?? [];
  if (keywords.length === 0 && regexes.length === 0) {
    issues.push(`${at('match')}: pattern '${p.name}' needs at least one keyword or regex`);
  }
  keywords.forEach((k, j) => {
    if (k.trim() === '') issues.push(`${at(`match.keywords[${j}]`)}: pattern '${p.name}': a keyword must not be blank`);
  });
  regexes.forEach((source, j) => {
    try {
      compileSafeRegex(source);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      issues.push(`${at(`match.regex[${j}]`)}: pattern '${p.name}': invalid regex ${JSON.stringify(source)} (RE2 syntax): ${reason}`);
    }
  });
  return issues;
}

function duplicateNameIssues(patterns: readonly PatternDefinition[]): string[] {
  const first = new Map<string, number>();
  const issues: string[] = [];
  patterns.forEach((p, i) => {
    const seen = first.get(p.name);
    if (seen === undefined) first.set(p.name, i);
    else issues.push(`patterns[${i}].name: duplicate name '${p.name}' (already used by patterns[${seen}])`);
  });
  return issues;
}

/** Plain data with no undefined fields: stable for ETags and clean when written back as YAML. */
function normalizeDocument(dto: PatternsDocumentDto): PatternsDocument {
  const doc: PatternsDocument = {
    ...(dto.mode !== undefined ? { mode: dto.mode } : {}),
    ...(dto.structured_output !== undefined ? { structured_output: normalizeStructured(dto.structured_output) } : {}),
    patterns: dto.patterns.map(normalizePattern),
    fallback: { responses: [...dto.fallback.responses] },
    ...(dto.reasoning !== undefined ? { reasoning: { responses: [...dto.reasoning.responses] } } : {}),
  };
  return doc;
}

function normalizeStructured(dto: StructuredOutputDto): NonNullable<PatternsDocument['structured_output']> {
  return {
    ...(dto.integer_range ? { integer_range: [dto.integer_range[0], dto.integer_range[1]] as [number, number] } : {}),
    ...(dto.number_range ? { number_range: [dto.number_range[0], dto.number_range[1]] as [number, number] } : {}),
  };
}

function normalizePattern(dto: PatternDto): PatternDefinition {
  return {
    name: dto.name,
    ...(dto.priority !== undefined ? { priority: dto.priority } : {}),
    match: normalizeMatch(dto.match),
    responses: [...dto.responses],
    ...(dto.tool_call !== undefined ? { tool_call: structuredClone(dto.tool_call) } : {}),
    ...(dto.reasoning !== undefined ? { reasoning: [...dto.reasoning] } : {}),
  };
}

function normalizeMatch(dto: MatchRulesDto): PatternDefinition['match'] {
  const match: PatternDefinition['match'] = {};
  if (dto.keywords !== undefined) match.keywords = [...dto.keywords];
  if (dto.regex !== undefined) match.regex = [...dto.regex];
  if (dto.roles !== undefined) match.roles = [...dto.roles];
  return match;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** class-validator's error tree as `path: message` lines (`patterns[2].match.regex`). */
function flattenErrors(errors: readonly ValidationError[], parent = ''): string[] {
  const out: string[] = [];
  for (const error of errors) {
    const path =
      parent === '' ? error.property : /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`;
    const messages = new Set<string>();
    const constraints = error.constraints ?? {};
    for (const [key, message] of Object.entries(constraints)) {
      // "must be a list" already says it all; class-validator also reports the nested check.
      if (key === 'nestedValidation' && ('isArray' in constraints || 'isObject' in constraints)) continue;
      messages.add(key === 'whitelistValidation' ? 'is not a known field' : message);
    }
    for (const message of messages) out.push(`${path}: ${message}`);
    if (error.children && error.children.length > 0) out.push(...flattenErrors(error.children, path));
  }
  return out;
}
