import type { SimulationResult } from '../driver/simulation.js';
import { faultOccasions, renderMarkdown, type SimulationRunInfo } from './simulation-report.js';

/** A finished run with no violations: `crashes`, `vaultOutages` and the oracle's counts as given. */
function finished(occasions: { crashes: number; vaultOutages: number; duplicateDeliveries: number; lateNotices: number }): SimulationResult {
  return {
    plan: { seed: 5, start: '2027-01-04T00:00:00.000Z', end: '2028-01-04T00:00:00.000Z', tenants: 10, facts: 900, vaultOutages: occasions.vaultOutages },
    sabotage: null,
    database: 'an embedded server',
    violations: [],
    margins: { shredDeadlineMs: null, longestReprotectionMs: null, rotationMs: null, retirementMs: null },
    counts: { duplicateDeliveries: occasions.duplicateDeliveries, lateNotices: occasions.lateNotices },
    unexpectedAnswers: [],
    factRetries: 0,
    crashes: occasions.crashes,
    steps: 10,
    stepsByReason: {},
    eventsAppended: 100,
    wallMs: 1000,
    wallMsPerYear: [1000],
    wallMsByPhase: { facts: 1, settle: 1, oracle: 1, clock: 1, vacuum: 0 },
    standInVacuums: null,
    peakRss: { engine: null, simulator: 1 },
  };
}

const allFaults: SimulationRunInfo = { tenants: 10, years: 1, seed: 5, faults: ['vault', 'crash', 'duplicates', 'late'] };

describe('the report of a run with faults', () => {
  it('given faults the fleet gave no occasion to, when rendered, then it names them beside "every promise held"', () => {
    const result = finished({ crashes: 2, vaultOutages: 1, duplicateDeliveries: 0, lateNotices: 0 });
    const md = renderMarkdown(allFaults, result);
    expect(md).toContain('# Fleet simulation: every promise held');
    expect(md).toContain('Faults asked for that this fleet gave no occasion to: duplicates (0 duplicate deliveries), late (0 late notices)');
    expect(faultOccasions(result)).toMatchObject({ vault: { count: 1 }, crash: { count: 2 }, duplicates: { count: 0 }, late: { count: 0 } });
  });

  it('given every fault happened, or faults not asked for, when rendered, then there is no such line', () => {
    expect(renderMarkdown(allFaults, finished({ crashes: 2, vaultOutages: 1, duplicateDeliveries: 3, lateNotices: 1 }))).not.toContain('no occasion');
    const noFaults = { ...allFaults, faults: [] };
    expect(renderMarkdown(noFaults, finished({ crashes: 0, vaultOutages: 0, duplicateDeliveries: 0, lateNotices: 0 }))).not.toContain('no occasion');
  });
});
