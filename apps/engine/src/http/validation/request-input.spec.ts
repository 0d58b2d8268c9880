// What every route refuses before its own validation: undeclared query parameters and body fields,
// and text PostgreSQL cannot store, each named as the caller sent it.
import { NO_NUL_RULE, WELL_FORMED_RULE } from '@lethe/domain';
import { NO_BODY_RULE, UNKNOWN_FIELD_RULE, UNKNOWN_QUERY_RULE, undeclaredBodyErrors, unknownQueryParameters, unstorableStrings } from './request-input.interceptor.js';

const declared = { query: new Set(['limit', 'cursor']), body: false };
const asBody = (path: readonly (string | number)[]) => path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.');

describe('unknownQueryParameters', () => {
  it('names each parameter the route does not declare, as sent (brackets included)', () => {
    expect(unknownQueryParameters({ limit: '5', foo: '1', 'kind[0]': 'rotation' }, declared, true)).toEqual([
      { field: 'foo', rule: UNKNOWN_QUERY_RULE },
      { field: 'kind[0]', rule: UNKNOWN_QUERY_RULE },
    ]);
  });

  it('takes minPosition only where read your writes reads it', () => {
    expect(unknownQueryParameters({ minPosition: '3' }, declared, true)).toEqual([]);
    expect(unknownQueryParameters({ minPosition: '3' }, declared, false)).toEqual([{ field: 'minPosition', rule: UNKNOWN_QUERY_RULE }]);
  });

  it('refuses any parameter on a route that declares none', () => {
    expect(unknownQueryParameters({ foo: '1' }, { query: new Set(), body: false }, true)).toEqual([{ field: 'foo', rule: UNKNOWN_QUERY_RULE }]);
  });
});

describe('undeclaredBodyErrors', () => {
  it('takes no body and {} (an empty JSON body parses to {})', () => {
    expect(undeclaredBodyErrors(undefined)).toEqual([]);
    expect(undeclaredBodyErrors({})).toEqual([]);
  });

  it('names each field of a body sent to a route that takes none, and refuses a body that is not an object', () => {
    expect(undeclaredBodyErrors({ x: 1, 'a b': 2 })).toEqual([
      { field: 'x', rule: UNKNOWN_FIELD_RULE },
      { field: '["a b"]', rule: UNKNOWN_FIELD_RULE },
    ]);
    expect(undeclaredBodyErrors([1])).toEqual([{ field: '(body)', rule: NO_BODY_RULE }]);
  });
});

describe('unstorableStrings', () => {
  it('names every string holding NUL or a lone surrogate, however nested', () => {
    expect(unstorableStrings({ a: 'ok', b: 'x\u0000', c: [{ d: 'y\ud800' }], e: 1, f: null }, asBody)).toEqual([
      { field: 'b', rule: NO_NUL_RULE },
      { field: 'c.[0].d', rule: WELL_FORMED_RULE },
    ]);
  });

  it('refuses a key holding NUL without echoing it', () => {
    const errors = unstorableStrings({ nested: { 'k\u0000': 1 } }, asBody);
    expect(errors).toEqual([{ field: 'nested (keys)', rule: `keys ${NO_NUL_RULE}` }]);
  });

  it('finds nothing in storable text', () => {
    expect(unstorableStrings({ a: 'ünïcødé 😀', b: ['x'] }, asBody)).toEqual([]);
  });
});
