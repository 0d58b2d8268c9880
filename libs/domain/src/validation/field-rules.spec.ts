import { contractTerminatedSchema } from '../contract/contract-terminated.schema.js';
import { validate } from './field-errors.js';
import { INSTANT_RANGES, instantRangeRule, instantSchema, NO_NUL_RULE, textSchema, WELL_FORMED_RULE } from './field-rules.js';

const now = new Date('2026-12-21T09:00:00Z');
const notice = (over: Record<string, unknown>) => ({ terminationId: 't-1', contractId: 'c-1', effectiveAt: '2026-12-23T17:00:00Z', ...over });

describe('instant rules', () => {
  it.each([
    ['past', '2026-12-21T09:04:59Z', true],
    ['past', '2026-12-21T09:05:01Z', false],
    ['past', '1999-12-31T23:59:59Z', false],
    ['effective', '2036-12-20T00:00:00Z', true],
    ['effective', '2036-12-22T00:00:00Z', false],
    ['horizon', '2126-12-01T00:00:00Z', true],
    ['horizon', '9999-12-31T23:59:59Z', false],
    ['horizon', '0000-01-01T00:00:00Z', false],
  ] as const)('a %s instant %s is accepted: %s', (range, value, ok) => {
    const result = validate(instantSchema(INSTANT_RANGES[range], now), value, 'at');
    expect(result.ok ? [] : result.errors).toEqual(ok ? [] : [{ field: 'at', rule: instantRangeRule(INSTANT_RANGES[range]) }]);
  });

  it('names one rule per value: the format first, the range only for a well-formed instant', () => {
    const result = validate(instantSchema(INSTANT_RANGES.past, now), 'yesterday', 'at');
    expect(result.ok ? [] : result.errors).toEqual([{ field: 'at', rule: 'must be an ISO 8601 instant with a time zone, e.g. 2026-12-24T12:00:00Z' }]);
    const missing = validate(instantSchema(INSTANT_RANGES.past, now), undefined, 'at');
    expect(missing.ok ? [] : missing.errors).toEqual([{ field: 'at', rule: 'is required' }]);
  });
});

describe('text rules', () => {
  it.each([
    ['x\u0000y', NO_NUL_RULE],
    ['a\ud800b', WELL_FORMED_RULE],
    ['\udc00', WELL_FORMED_RULE],
  ])('refuses %j, which PostgreSQL cannot store', (value, rule) => {
    const result = validate(textSchema(), value, 'reason');
    expect(result.ok ? [] : result.errors).toEqual([{ field: 'reason', rule }]);
  });

  it('accepts well-formed text with surrogate pairs and other control characters', () => {
    expect(validate(textSchema(), 'Grüße 🔑\ttab', 'reason').ok).toBe(true);
  });
});

describe('contractTerminatedSchema (HTTP body and contract-stream event alike)', () => {
  it('refuses a NUL reason and an effective instant outside its range, naming each field', () => {
    const result = validate(contractTerminatedSchema(now), notice({ reason: 'x\u0000', effectiveAt: '9999-12-31T23:59:59Z' }));
    expect(result.ok ? [] : result.errors).toEqual([
      { field: 'effectiveAt', rule: instantRangeRule(INSTANT_RANGES.effective) },
      { field: 'reason', rule: NO_NUL_RULE },
    ]);
  });

  it('tells a wrong type it must be a string, not that it is required', () => {
    const result = validate(contractTerminatedSchema(now), notice({ contractId: [[['c']]] }));
    expect(result.ok ? [] : result.errors).toEqual([{ field: 'contractId', rule: 'must be a string' }]);
  });
});
