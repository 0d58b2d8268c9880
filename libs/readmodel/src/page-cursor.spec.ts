// Keyset paging: opaque cursors tagged with their listing, and pages that say whether more follow.
import { InvalidPageRequestError, decodeCursor, encodeCursor, isCursorOf, pageOf, pageLimit, type Listing } from './page-cursor.js';

const TENANTS: Listing = { name: 'tenants', key: ['string'] };
const SHREDS: Listing = { name: 'shreds', key: ['string', 'string'] };

describe('keyset paging', () => {
  it('round-trips a sort key through an opaque base64url cursor of its listing', () => {
    const cursor = encodeCursor(SHREDS.name, ['acme', 'termination:t-1']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(SHREDS.name, cursor, SHREDS.key)).toEqual(['acme', 'termination:t-1']);
  });

  it.each([['not base64!'], ['e30'], [Buffer.from('[1]').toString('base64url')], [Buffer.from('["tenants"]').toString('base64url')], ['']])('refuses a cursor it did not make: %s', (cursor) => {
    expect(isCursorOf(TENANTS, cursor)).toBe(false);
    expect(() => decodeCursor(TENANTS.name, cursor, TENANTS.key)).toThrow(InvalidPageRequestError);
  });

  it.each([
    ['a NUL in a string part', TENANTS, ['tenants', 'a\u0000b']],
    ['a NUL in the second part', SHREDS, ['shreds', 'a\u0000b', 'x']],
    ['a lone surrogate', TENANTS, ['tenants', 'a\ud800b']],
    ['a NUL in an instant part', { name: 'backups', key: ['instant', 'string'] } as Listing, ['backups', '2026-11-30T08:00:00.000Z\u0000', 'b']],
  ])('refuses a forged cursor holding %s (PostgreSQL cannot take it as text)', (_what, listing, json) => {
    const cursor = Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
    expect(isCursorOf(listing, cursor)).toBe(false);
    expect(() => decodeCursor(listing.name, cursor, listing.key)).toThrow(InvalidPageRequestError);
  });

  it("refuses one listing's cursor in another", () => {
    const shreds = encodeCursor(SHREDS.name, ['acme', 's-1']);
    expect(isCursorOf(TENANTS, shreds)).toBe(false);
    expect(isCursorOf(SHREDS, shreds)).toBe(true);
  });

  it('answers a next cursor only when a row beyond the limit was read', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const first = pageOf(rows, 2, TENANTS, (r) => [r.id]);
    expect(first.items).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(decodeCursor(TENANTS.name, first.nextCursor!, TENANTS.key)).toEqual(['b']);
    expect(pageOf(rows.slice(2), 2, TENANTS, (r) => [r.id])).toEqual({ items: [{ id: 'c' }], nextCursor: null });
  });

  it('takes the default limit when none is given and refuses one outside 1..1000, naming limit', () => {
    expect(pageLimit(undefined)).toBe(100);
    expect(() => pageLimit(0)).toThrow(expect.objectContaining({ field: 'limit' }));
    expect(() => pageLimit(1001)).toThrow(expect.objectContaining({ field: 'limit' }));
  });
});
