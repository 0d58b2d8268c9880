import { decodeCursor, encodeCursor, pageOf } from './page.js';

describe('keyset paging', () => {
  it('round-trips a sort key through an opaque base64url cursor', () => {
    const cursor = encodeCursor(['acme', 'kv-1']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(['acme', 'kv-1']);
  });

  it.each([['not base64!'], ['e30'], [Buffer.from('[1]').toString('base64url')], [Buffer.from('[]').toString('base64url')], ['']])('refuses a cursor it did not make: %s', (cursor) => {
    expect(decodeCursor(cursor)).toBeNull();
  });

  it('answers a next cursor only when a row beyond the limit was read', () => {
    const rows = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const first = pageOf(rows, 2, (r) => [r.id]);
    expect(first.items).toEqual([{ id: 'a' }, { id: 'b' }]);
    expect(decodeCursor(first.nextCursor!)).toEqual(['b']);
    expect(pageOf(rows.slice(2), 2, (r) => [r.id])).toEqual({ items: [{ id: 'c' }], nextCursor: null });
  });
});
