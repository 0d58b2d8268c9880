import { at, DAY, HOUR, promises, Scenario, tenant } from './oracle-scenario.fixture.js';
import { rotationDueAt } from './rotation.check.js';

const T0 = '2027-03-01T09:00:00.000Z';
const day = (n: number, plus = 0) => at(T0, n * DAY + plus);

function managed(): Scenario {
  return new Scenario().fact({ at: T0, kind: 'onboard', tenant: tenant() }).opened('acme', T0, 'v0', ['db-1']);
}

describe('P1: every active key has a version younger than its rotation period', () => {
  it('given a managed key rotated when its version reaches the period, then nothing is broken and the margin is 0', () => {
    const s = managed().rotated('acme', 'v1', 'v0', day(30), ['db-1']);
    expect(s.checkAt(day(31))).toEqual([]);
    expect(s.theOracle.margins().rotationMs).toBe(0);
  });

  it('given a managed key not rotated, then P1 is broken from the first instant past the period, not before', () => {
    const s = managed();
    expect(s.checkAt(day(30))).toEqual([]);
    const found = s.checkAt(day(30, 1));
    expect(promises(found)).toEqual(['acme P1']);
    expect(found[0].expected).toContain(`by ${day(30)}`);
    // Reported once.
    expect(s.checkAt(day(31))).toEqual([]);
  });

  it('given the period shortened below the version age, then the rotation is due at the change itself', () => {
    const change = { at: day(10), kind: 'rotation-period-changed', tenantId: 'acme', rotationPeriodDays: 5 } as const;
    const onTime = managed().fact(change).rotated('acme', 'v1', 'v0', day(10), ['db-1']);
    expect(onTime.checkAt(day(11))).toEqual([]);
    const late = managed().fact(change).rotated('acme', 'v1', 'v0', day(10, HOUR), ['db-1']);
    expect(promises(late.checkAt(day(11)))).toEqual(['acme P1']);
  });

  it('given the period lengthened before it is reached, then the longer period applies', () => {
    const s = managed().fact({ at: day(10), kind: 'rotation-period-changed', tenantId: 'acme', rotationPeriodDays: 60 });
    expect(s.checkAt(day(45))).toEqual([]);
    expect(promises(s.checkAt(day(60, 1)))).toEqual(['acme P1']);
  });

  it('given the vault down when the rotation is due, then it may wait for the vault and its retry, no longer', () => {
    const outage = { from: day(29), until: day(31), mode: 'fail' } as const;
    const inTime = managed().outage(outage).rotated('acme', 'v1', 'v0', day(31, HOUR / 2), ['db-1']);
    expect(inTime.checkAt(day(32))).toEqual([]);
    const late = managed().outage(outage).rotated('acme', 'v1', 'v0', day(31, 2 * HOUR), ['db-1']);
    expect(promises(late.checkAt(day(32)))).toEqual(['acme P1']);
  });

  describe('client-held keys', () => {
    const client = () =>
      new Scenario().fact({ at: T0, kind: 'onboard', tenant: tenant({ keyCustody: 'client' }) }).opened('acme', T0, 'v0', ['db-1']).vault('acme', [{ id: 'v0', createdAt: T0 }]);

    it('given the client did not rotate and Lethe recorded KeyRotationDue at the due instant, then nothing is broken', () => {
      const s = client().keys('acme', 'KeyRotationDue', { keyVersionId: 'v0', dueAt: day(30) }, day(30));
      expect(s.checkAt(day(31))).toEqual([]);
    });

    it('given the client did not rotate and Lethe recorded nothing, then P1 is broken', () => {
      const found = client().checkAt(day(30, 1));
      expect(promises(found)).toEqual(['acme P1']);
      expect(found[0].expected).toContain('KeyRotationDue');
    });

    it('given the client rotated in its vault before the due instant, then no KeyRotationDue is owed for the old version', () => {
      const s = client()
        .vault('acme', [
          { id: 'v0', createdAt: T0, state: 'destroyed', disabledAt: day(27, 15 * 60_000), unusableAt: day(34, 15 * 60_000) },
          { id: 'v1', createdAt: day(20) },
        ])
        .rotated('acme', 'v1', 'v0', day(20, 15 * 60_000), ['db-1'], 'detected', day(20))
        // Retired when its last use plus the 7-day window ran out; destroyed when its 7-day grace did.
        .keys('acme', 'KeyVersionRetired', { keyVersionId: 'v0', retainUntil: day(27, 15 * 60_000) }, day(27, 15 * 60_000));
      expect(s.checkAt(day(31))).toEqual([]);
      // The new version's own period runs from its creation in the vault.
      expect(promises(s.checkAt(day(50, 1)))).toEqual(['acme P1']);
    });
  });

  it('rotationDueAt: a change applies from when it is made', () => {
    const t0 = Date.parse(T0);
    const periods = [
      { from: t0, value: 30 },
      { from: t0 + 10 * DAY, value: 5 },
      { from: t0 + 20 * DAY, value: 365 },
    ];
    expect(rotationDueAt(t0, periods)).toBe(t0 + 10 * DAY);
    expect(rotationDueAt(t0 + 12 * DAY, periods)).toBe(t0 + 17 * DAY);
    expect(rotationDueAt(t0 + 18 * DAY, periods)).toBe(t0 + (18 + 365) * DAY);
  });
});
