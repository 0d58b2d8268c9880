import { calendarCategory, contractCategory, keyRingCategory, streamsOfTenant, tenantCategory } from './streams.js';

describe('stream categories', () => {
  it('names each aggregate stream after its category and id, and parses the id back', () => {
    expect(tenantCategory.stream('acme')).toBe('tenant-acme');
    expect(keyRingCategory.idOf('keys-acme')).toBe('acme');
    expect(contractCategory.idOf('contract-acme-eu')).toBe('acme-eu');
    expect(calendarCategory.idOf(calendarCategory.stream('DE-BY'))).toBe('DE-BY');
  });

  it('does not claim a stream of another category, or one that names no id', () => {
    expect(tenantCategory.idOf('keys-acme')).toBeUndefined();
    expect(keyRingCategory.idOf('keysacme')).toBeUndefined();
    expect(keyRingCategory.idOf('keys-')).toBeUndefined();
  });

  it('lists every event type of its aggregate once', () => {
    expect(keyRingCategory.types).toHaveLength(16);
    expect(tenantCategory.types).toHaveLength(17);
    expect(new Set(tenantCategory.types).size).toBe(tenantCategory.types.length);
    expect(contractCategory.types).toEqual(['ContractTerminated', 'ContractEventRejected']);
  });

  it("names every stream of a tenant, and no jurisdiction's calendar", () => {
    expect(streamsOfTenant('acme')).toEqual(['tenant-acme', 'keys-acme', 'contract-acme', 'compliance-acme', 'privileged-refusals-acme']);
  });
});
