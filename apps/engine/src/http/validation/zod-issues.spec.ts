import { z } from 'zod';
import { ProblemException } from '../problem/problem.js';
import { ROTATION_PERIOD_RULE } from '@lethe/domain';
import { rotationPeriodDays } from '../../api/key-policy.schemas.js';
import { formatPath, parseOrThrow } from '../index.js';

async function errorsOf(schema: z.ZodType, value: unknown, name?: string) {
  try {
    await parseOrThrow(schema, value, { location: name ? 'param' : 'body', name });
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    return (error as ProblemException).problem.errors;
  }
  throw new Error('expected a validation error');
}

describe('formatPath', () => {
  it('writes dotted names, bracketed indexes and quoted odd keys', () => {
    expect(formatPath(['databases', 1, 'databaseId'])).toBe('databases[1].databaseId');
    expect(formatPath([0, 'a'])).toBe('[0].a');
    expect(formatPath(['labels', 'a.b', 'c d'])).toBe('labels["a.b"]["c d"]');
    expect(formatPath([], 'tenantId')).toBe('tenantId');
    expect(formatPath([2], 'ids')).toBe('ids[2]');
  });
});

describe('plain rules', () => {
  it.each<[string, z.ZodType, unknown, string]>([
    ['missing', z.object({ a: z.string() }), {}, 'is required'],
    ['string type', z.object({ a: z.string() }), { a: 1 }, 'must be a string'],
    ['number type', z.object({ a: z.number() }), { a: 'x' }, 'must be a number'],
    ['integer', z.object({ a: z.number().int() }), { a: 1.5 }, 'must be a whole number'],
    ['boolean', z.object({ a: z.boolean() }), { a: 'yes' }, 'must be true or false'],
    ['array type', z.object({ a: z.array(z.string()) }), { a: 'x' }, 'must be an array'],
    ['empty string', z.object({ a: z.string().min(1) }), { a: '' }, 'must not be empty'],
    ['short string', z.object({ a: z.string().min(3) }), { a: 'ab' }, 'must be at least 3 characters long'],
    ['long string', z.object({ a: z.string().max(3) }), { a: 'abcd' }, 'must be at most 3 characters long'],
    ['exact length', z.object({ a: z.string().length(2) }), { a: 'abc' }, 'must be exactly 2 characters long'],
    ['small number', z.object({ a: z.number().min(1) }), { a: 0 }, 'must be at least 1'],
    ['positive', z.object({ a: z.number().positive() }), { a: 0 }, 'must be greater than 0'],
    ['big number', z.object({ a: z.number().max(5) }), { a: 6 }, 'must be at most 5'],
    ['few items', z.object({ a: z.array(z.string()).min(1) }), { a: [] }, 'must have at least 1 item'],
    ['many items', z.object({ a: z.array(z.string()).max(2) }), { a: ['1', '2', '3'] }, 'must have at most 2 items'],
    ['regex', z.object({ a: z.string().regex(/^[a-z]+$/) }), { a: 'A' }, 'must match ^[a-z]+$'],
    ['uuid', z.object({ a: z.uuid() }), { a: 'x' }, 'must be a UUID'],
    ['email', z.object({ a: z.email() }), { a: 'x' }, 'must be an email address'],
    ['datetime', z.object({ a: z.iso.datetime() }), { a: 'x' }, 'must be an ISO 8601 date-time with a time zone, e.g. 2026-01-05T09:00:00Z'],
    ['date', z.object({ a: z.iso.date() }), { a: '2026-13-01' }, 'must be an ISO 8601 date, e.g. 2026-01-05'],
    ['starts with', z.object({ a: z.string().startsWith('kv-') }), { a: 'x' }, 'must start with "kv-"'],
    ['multiple', z.object({ a: z.number().multipleOf(5) }), { a: 7 }, 'must be a multiple of 5'],
    ['enum', z.object({ a: z.enum(['eu', 'us']) }), { a: 'mars' }, 'must be one of "eu", "us"'],
    ['literal', z.object({ a: z.literal('v1') }), { a: 'v2' }, 'must be "v1"'],
    ['refine without message', z.object({ a: z.string().refine(() => false) }), { a: 'x' }, 'is not valid'],
    ['union', z.object({ a: z.union([z.string(), z.number()]) }), { a: true }, 'does not match any of the allowed forms'],
  ])('%s', async (_name, schema, value, rule) => {
    const errors = await errorsOf(schema, value);
    expect(errors).toEqual([{ field: 'a', rule }]);
  });

  it('names the allowed values of a discriminator', async () => {
    const schema = z.object({
      change: z.discriminatedUnion('type', [z.object({ type: z.literal('rotate') }), z.object({ type: z.literal('retire'), version: z.number() })]),
    });
    expect(await errorsOf(schema, { change: { type: 'melt' } })).toEqual([{ field: 'change.type', rule: 'must be one of "rotate", "retire"' }]);
    expect(await errorsOf(schema, { change: { type: 'retire' } })).toEqual([{ field: 'change.version', rule: 'is required' }]);
  });

  it('names each unknown field of a strict object, and bad record keys', async () => {
    expect(await errorsOf(z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 })).toEqual([
      { field: 'b', rule: 'is not an allowed field' },
      { field: 'c', rule: 'is not an allowed field' },
    ]);
    expect(await errorsOf(z.object({ labels: z.record(z.string().regex(/^k/), z.string()) }), { labels: { zz: 'v' } })).toEqual([
      { field: 'labels.zz', rule: 'is not an allowed key: the key must match ^k' },
    ]);
  });

  it("keeps a schema's own messages", async () => {
    const schema = z.object({
      a: z.string().regex(/^x/, { message: 'must start with an x' }),
      b: z.number({ error: 'must be a count of days' }),
      c: z.string().refine((v) => v === 'ok', { message: 'must be ok' }),
    });
    expect(await errorsOf(schema, { a: 'y', b: 'z', c: 'no' })).toEqual([
      { field: 'a', rule: 'must start with an x' },
      { field: 'b', rule: 'must be a count of days' },
      { field: 'c', rule: 'must be ok' },
    ]);
  });

  it('prefixes errors of a named parameter with its name', async () => {
    expect(await errorsOf(z.string().regex(/^[a-z]+$/), 'ACME', 'tenantId')).toEqual([{ field: 'tenantId', rule: 'must match ^[a-z]+$' }]);
  });

  it('names a field once per rule: 1e308 breaks both the whole-number and the maximum check of the rotation period, one rule text', async () => {
    const errors = await errorsOf(z.strictObject({ rotationPeriodDays }), { rotationPeriodDays: 1e308 });
    expect(errors).toEqual([{ field: 'rotationPeriodDays', rule: ROTATION_PERIOD_RULE }]);
  });

  it('keeps different rules broken by one field', async () => {
    const schema = z.object({ a: z.string().min(3, { message: 'must be at least 3 long' }).regex(/^x/, { message: 'must start with an x' }) });
    expect(await errorsOf(schema, { a: 'y' })).toEqual([
      { field: 'a', rule: 'must be at least 3 long' },
      { field: 'a', rule: 'must start with an x' },
    ]);
  });

  it('returns the parsed value on success', async () => {
    await expect(parseOrThrow(z.object({ n: z.coerce.number() }), { n: '3' }, { location: 'query' })).resolves.toEqual({ n: 3 });
  });
});
