import { at, DAY, HOUR, promises, Scenario, tenant } from './oracle-scenario.fixture.js';

const T0 = '2027-03-01T09:00:00.000Z';
const day = (n: number, plus = 0) => at(T0, n * DAY + plus);

/** Two databases, a new version at day 30; each database moves when the spec says. */
function rotatedAtDay30(): Scenario {
  return new Scenario()
    .fact({ at: T0, kind: 'onboard', tenant: tenant({ databases: ['db-1', 'db-2'] }) })
    .opened('acme', T0, 'v0', ['db-1', 'db-2'])
    .keys('acme', 'KeyVersionAdded', { keyVersionId: 'v1', source: 'policy', createdAt: day(30) }, day(30));
}

const moved = (s: Scenario, databaseId: string, when: string) => s.keys('acme', 'DatabaseReprotected', { databaseId, fromKeyVersionId: 'v0', toKeyVersionId: 'v1' }, when);

describe('P2: every database is re-protected with each new version within 24 hours', () => {
  it('given both databases moved within 24 h, then nothing is broken and the longest re-protection is the margin', () => {
    const s = rotatedAtDay30();
    moved(s, 'db-1', day(30, 5 * 60_000));
    moved(s, 'db-2', day(31, -1));
    expect(s.checkAt(day(32))).toEqual([]);
    expect(s.theOracle.margins().longestReprotectionMs).toBe(DAY - 1);
  });

  it('given a database moved a millisecond after 24 h, then P2 is broken for it', () => {
    const s = rotatedAtDay30();
    moved(s, 'db-1', day(30));
    moved(s, 'db-2', day(31, 1));
    const found = s.checkAt(day(32));
    expect(promises(found)).toEqual(['acme P2']);
    expect(found[0].expected).toContain('db-2');
  });

  it('given a database never moved, then P2 is broken once the 24 h have passed, not before', () => {
    const s = rotatedAtDay30();
    moved(s, 'db-1', day(30));
    expect(s.checkAt(day(31))).toEqual([]);
    expect(promises(s.checkAt(day(31, 1)))).toEqual(['acme P2']);
  });

  it('given a newer version reached within 24 h, then the database skipping a version is on time', () => {
    const s = rotatedAtDay30();
    moved(s, 'db-1', day(30));
    s.keys('acme', 'KeyVersionAdded', { keyVersionId: 'v2', source: 'manual', createdAt: day(30, HOUR) }, day(30, HOUR));
    s.keys('acme', 'DatabaseReprotected', { databaseId: 'db-1', fromKeyVersionId: 'v1', toKeyVersionId: 'v2' }, day(30, 2 * HOUR));
    s.keys('acme', 'DatabaseReprotected', { databaseId: 'db-2', fromKeyVersionId: 'v0', toKeyVersionId: 'v2' }, day(30, 2 * HOUR));
    expect(s.checkAt(day(31, HOUR))).toEqual([]);
  });

  it('given the vault down for two hours after the version appeared, then the limit moves by them and the retry slack', () => {
    const s = rotatedAtDay30().outage({ from: day(30, HOUR), until: day(30, 3 * HOUR), mode: 'timeout' });
    moved(s, 'db-1', day(30));
    moved(s, 'db-2', day(31, 2 * HOUR + 30 * 60_000));
    expect(s.checkAt(day(32))).toEqual([]);
  });

  it('given a database added by the facts that Lethe never protected, then P2 is broken', () => {
    const s = new Scenario()
      .fact({ at: T0, kind: 'onboard', tenant: tenant() })
      .fact({ at: day(5), kind: 'add-database', tenantId: 'acme', databaseId: 'db-3' })
      .opened('acme', T0, 'v0', ['db-1']);
    expect(s.checkAt(day(5, HOUR))).toEqual([]);
    const found = s.checkAt(day(5, HOUR + 1));
    expect(promises(found)).toEqual(['acme P2']);
    expect(found[0].expected).toContain('db-3');
  });

  it("given a client's new version in the vault that Lethe never detected, then P2 is broken 24 h after its creation", () => {
    const s = new Scenario()
      .fact({ at: T0, kind: 'onboard', tenant: tenant({ keyCustody: 'client', rotationPeriodDays: 365 }) })
      .fact({ at: day(10), kind: 'client-rotation', tenantId: 'acme' })
      .opened('acme', T0, 'v0', ['db-1'])
      .vault('acme', [
        { id: 'v0', createdAt: T0 },
        { id: 'v1', createdAt: day(10) },
      ]);
    expect(s.checkAt(day(11))).toEqual([]);
    const found = s.checkAt(day(11, 1));
    expect(promises(found)).toEqual(['acme P2']);
    expect(found[0].actual).toContain('not recorded');
  });
});
