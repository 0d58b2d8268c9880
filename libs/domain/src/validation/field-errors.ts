// Zod issues as the API reports them: `{field, rule}` with the field in dotted/bracket form
// (`databases[1].databaseId`) and the rule in plain words (`must match ^[a-z0-9-]+$`). Messages a
// schema sets itself (`.regex(re, { message })`, `.refine(fn, { message })`) win; every other issue
// gets its rule from `plainRule`, never zod's "Invalid input: expected string, received number".
// One way to check input for every way in (HTTP, an event appended straight into a contract stream,
// later a broker message): the same schemas, the same field errors.
import type { z } from 'zod';

/** One bad input: `field` in dotted/bracket form (`databases[1].databaseId`), `rule` in plain words. */
export interface FieldError {
  readonly field: string;
  readonly rule: string;
}

type LooseIssue = { readonly code?: string; readonly path?: readonly PropertyKey[]; readonly [k: string]: unknown };

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `['databases', 1, 'databaseId']` → `databases[1].databaseId`; odd keys are quoted: `labels["a.b"]`. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function show(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

function patternSource(pattern: unknown): string {
  if (pattern instanceof RegExp) return pattern.source;
  if (typeof pattern === 'string') {
    const m = /^\/(.*)\/[a-z]*$/s.exec(pattern);
    return m ? m[1] : pattern;
  }
  return 'the required pattern';
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'an array',
  date: 'a date',
  null: 'null',
  record: 'an object',
  map: 'an object',
  set: 'an array',
  tuple: 'an array',
  literal: 'a fixed value',
};

const FORMAT_RULES: Readonly<Record<string, string>> = {
  email: 'must be an email address',
  url: 'must be a URL',
  uuid: 'must be a UUID',
  guid: 'must be a UUID',
  datetime: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T09:00:00Z',
  date: 'must be an ISO 8601 date, e.g. 2026-01-05',
  time: 'must be a time of day, e.g. 09:00:00',
  duration: 'must be an ISO 8601 duration, e.g. P5D',
  ipv4: 'must be an IPv4 address',
  ipv6: 'must be an IPv6 address',
  cidrv4: 'must be an IPv4 CIDR range',
  cidrv6: 'must be an IPv6 CIDR range',
  base64: 'must be base64',
  base64url: 'must be base64url',
  lowercase: 'must be lowercase',
  uppercase: 'must be uppercase',
  jwt: 'must be a JWT',
  ulid: 'must be a ULID',
  cuid: 'must be a CUID',
  cuid2: 'must be a CUID2',
  nanoid: 'must be a nanoid',
  e164: 'must be an E.164 phone number',
  emoji: 'must be an emoji',
  hex: 'must be hexadecimal',
};

function sizeRule(issue: LooseIssue, bound: 'min' | 'max'): string {
  const limit = bound === 'min' ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  const exact = issue.exact === true;
  const n = show(limit);
  const word = bound === 'min' ? 'at least' : 'at most';
  switch (issue.origin) {
    case 'string':
      if (exact) return `must be exactly ${n} characters long`;
      if (bound === 'min' && Number(limit) === 1) return 'must not be empty';
      return `must be ${word} ${n} characters long`;
    case 'array':
    case 'set':
      if (exact) return `must have exactly ${n} item${Number(limit) === 1 ? '' : 's'}`;
      return `must have ${word} ${n} item${Number(limit) === 1 ? '' : 's'}`;
    case 'date':
      return bound === 'min' ? `must not be before ${n}` : `must not be after ${n}`;
    default:
      if (inclusive) return `must be ${word} ${n}`;
      return bound === 'min' ? `must be greater than ${n}` : `must be less than ${n}`;
  }
}

/** A plain-words rule for any zod issue (raw, as an error map sees it, or final). */
export function plainRule(issue: LooseIssue): string {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined && 'input' in issue) return 'is required';
      const expected = String(issue.expected);
      return `must be ${TYPE_WORDS[expected] ?? `of type ${expected}`}`;
    }
    case 'too_small':
      return sizeRule(issue, 'min');
    case 'too_big':
      return sizeRule(issue, 'max');
    case 'invalid_format':
      switch (issue.format) {
        case 'regex':
          return `must match ${patternSource(issue.pattern)}`;
        case 'starts_with':
          return `must start with ${show(issue.prefix)}`;
        case 'ends_with':
          return `must end with ${show(issue.suffix)}`;
        case 'includes':
          return `must contain ${show(issue.includes)}`;
        default:
          return FORMAT_RULES[String(issue.format)] ?? `must be a valid ${String(issue.format)}`;
      }
    case 'not_multiple_of':
      return `must be a multiple of ${show(issue.divisor)}`;
    case 'unrecognized_keys':
      return 'is not an allowed field';
    case 'invalid_value': {
      const values = Array.isArray(issue.values) ? issue.values : [];
      if (values.length === 1) return `must be ${show(values[0])}`;
      return `must be one of ${values.map(show).join(', ')}`;
    }
    case 'invalid_union': {
      if (Array.isArray(issue.options) && issue.options.length > 0) return `must be one of ${issue.options.map(show).join(', ')}`;
      if (input === undefined && 'input' in issue) return 'is required';
      return 'does not match any of the allowed forms';
    }
    case 'invalid_key': {
      const inner = Array.isArray(issue.issues) ? (issue.issues[0] as LooseIssue | undefined) : undefined;
      return inner ? `is not an allowed key: the key ${plainRule(inner)}` : 'is not an allowed key';
    }
    case 'invalid_element':
      return 'holds an invalid element';
    default:
      return 'is not valid';
  }
}

/** The per-parse error map: zod uses it only for issues whose schema sets no message of its own. */
export const plainErrorMap = (issue: z.core.$ZodRawIssue): string => plainRule(issue as unknown as LooseIssue);

/**
 * Final zod issues → field errors. `prefix` names the whole value (e.g. `tenantId` for a path parameter).
 * A field is named once per rule it breaks: a schema whose checks share one message (e.g. 1e308 is
 * both not a safe integer and above the maximum) yields one error, not two alike.
 */
export function fieldErrors(issues: readonly z.core.$ZodIssue[], prefix = '', rootName = '(body)'): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const add = (field: string, rule: string) => {
    const key = JSON.stringify([field, rule]);
    if (seen.has(key)) return;
    seen.add(key);
    errors.push({ field, rule });
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(formatPath([...issue.path, key], prefix), 'is not an allowed field');
      continue;
    }
    const field = formatPath(issue.path, prefix);
    add(field === '' ? rootName : field, issue.message);
  }
  return errors;
}

/**
 * Checks `value` against `schema` with the plain rules above. Synchronous schemas only.
 * `{ok: true, value}` with zod's output, or `{ok: false, errors}` naming each bad field (never the value).
 */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = '',
  rootName = '(body)',
): { readonly ok: true; readonly value: z.output<S> } | { readonly ok: false; readonly errors: FieldError[] } {
  const parsed = schema.safeParse(value, { error: plainErrorMap });
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, errors: fieldErrors(parsed.error.issues, prefix, rootName) };
}
