// The backup index answers exactly what a scan of the array would, whatever states were derived
// from one another: appends share one index, replacements keep positions, and two states each
// appending to the same older one (a decision tried on a state, then another) must not see each
// other's backups.
import fc from 'fast-check';
import { appendBackup, backupById, replaceBackup } from './backup-index.js';

interface B {
  readonly backupId: string;
  readonly n: number;
}

const scan = (bs: readonly B[], id: string) => bs.find((b) => b.backupId === id);

describe('backup index', () => {
  it('given a ring state read from a snapshot (no index yet), when a backup is looked up, then it is found, and an unknown id is not', () => {
    const bs: B[] = JSON.parse(JSON.stringify([{ backupId: 'b-1', n: 1 }, { backupId: 'b-2', n: 2 }]));
    expect(backupById(bs, 'b-2')).toEqual({ backupId: 'b-2', n: 2 });
    expect(backupById(bs, 'b-3')).toBeUndefined();
  });

  it('given an indexed state, when a backup is appended, then the new state finds it and the old one does not', () => {
    const before: readonly B[] = [{ backupId: 'b-1', n: 1 }];
    expect(backupById(before, 'b-1')?.n).toBe(1);
    const after = appendBackup(before, { backupId: 'b-2', n: 2 });
    expect(backupById(after, 'b-2')?.n).toBe(2);
    expect(backupById(before, 'b-2')).toBeUndefined();
  });

  it('given two states appended to the same older one, when each looks up the other one’s backup, then neither finds it, and each finds its own', () => {
    const base: readonly B[] = [{ backupId: 'b-0', n: 0 }];
    backupById(base, 'b-0');
    const left = appendBackup(appendBackup(base, { backupId: 'x', n: 1 }), { backupId: 'y', n: 2 });
    const right = appendBackup(base, { backupId: 'y', n: 3 });
    expect(backupById(left, 'y')?.n).toBe(2);
    expect(backupById(right, 'y')?.n).toBe(3);
    expect(backupById(right, 'x')).toBeUndefined();
    expect(backupById(left, 'x')?.n).toBe(1);
  });

  it('given a backup replaced in place, when looked up in the new and the old state, then each answers its own version of it', () => {
    const before = appendBackup(appendBackup([], { backupId: 'b-1', n: 1 }), { backupId: 'b-2', n: 2 });
    backupById(before, 'b-1');
    const after = replaceBackup(before, 'b-1', (b) => ({ ...b, n: 10 }));
    expect(backupById(after, 'b-1')?.n).toBe(10);
    expect(backupById(before, 'b-1')?.n).toBe(1);
    expect(backupById(after, 'b-2')?.n).toBe(2);
  });

  it('given any tree of states derived by appends, replacements and filters, when any id is looked up in any of them, then the answer is the scan’s', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), from: fc.nat(), id: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('replace' as const), from: fc.nat(), id: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('filter' as const), from: fc.nat(), id: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('lookup' as const), from: fc.nat(), id: fc.integer({ min: 0, max: 12 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const states: (readonly B[])[] = [[]];
        let n = 0;
        for (const o of ops) {
          const from = states[o.from % states.length]!;
          const id = `b-${o.id}`;
          if (o.kind === 'append') states.push(scan(from, id) ? from : appendBackup(from, { backupId: id, n: ++n }));
          else if (o.kind === 'replace') states.push(replaceBackup(from, id, (b) => ({ ...b, n: ++n })));
          else if (o.kind === 'filter') states.push(from.filter((b) => b.backupId !== id));
          else backupById(from, id);
        }
        for (const s of states) for (let i = 0; i <= 12; i++) expect(backupById(s, `b-${i}`)).toBe(scan(s, `b-${i}`));
      }),
      { numRuns: 500 },
    );
  });
});
