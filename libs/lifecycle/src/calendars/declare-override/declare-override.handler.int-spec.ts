// Operator overrides as events: a declared day off moves a previewed deadline and shows in the days
// listing; withdrawing it restores both. Real PostgreSQL and date-holidays.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { CalendarWorkingDays } from '../../tenants/working-days.adapter.js';
import { CalendarDaysQuery } from '../calendar-days/calendar-days.query.js';
import { CalendarDaysHandler } from '../calendar-days/calendar-days.handler.js';
import { DeadlinePreviewQuery } from '../deadline-preview/deadline-preview.query.js';
import { DeadlinePreviewHandler } from '../deadline-preview/deadline-preview.handler.js';
import { WithdrawOverrideCommand } from '../withdraw-override/withdraw-override.command.js';
import { WithdrawOverrideHandler } from '../withdraw-override/withdraw-override.handler.js';
import { DeclareOverrideCommand } from './declare-override.command.js';
import { DeclareOverrideHandler } from './declare-override.handler.js';

let f: LifecycleFixture;
const workingDays = new CalendarWorkingDays();
const by = { role: 'operator' };

beforeAll(async () => {
  f = await createLifecycleFixture();
});

afterAll(async () => {
  await f?.close();
});

describe('calendar overrides', () => {
  it('a day off declared for a country moves its regions\' deadline, and withdrawing it moves it back', async () => {
    const preview = new DeadlinePreviewHandler(f.calendars, workingDays);
    // Monday 2 March 2026 in Berlin: five working days end on Monday 9 March.
    const query = new DeadlinePreviewQuery('DE-BY', new Date('2026-03-02T09:00:00Z'), 5, {});
    expect((await preview.execute(query)).countedDays).toEqual(['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09']);
    const declared = await new DeclareOverrideHandler(f.calendars, f.clock).execute(new DeclareOverrideCommand('DE', '2026-03-04', 'off', 'storm', by));
    expect(declared).toEqual(expect.objectContaining({ overrideId: 'DE:2026-03-04:1', kind: 'off', reason: 'storm', by }));
    const moved = await preview.execute(query);
    expect(moved.countedDays).toEqual(['2026-03-03', '2026-03-05', '2026-03-06', '2026-03-09', '2026-03-10']);
    expect(moved.overrideIds).toEqual(['DE:2026-03-04:1']);
    const { days, overrides } = await new CalendarDaysHandler(f.calendars, workingDays).execute(new CalendarDaysQuery('DE-BY', '2026-03-04', '2026-03-04', {}));
    expect(days[0]).toEqual(expect.objectContaining({ date: '2026-03-04', working: false }));
    expect(overrides.map((o) => o.overrideId)).toEqual(['DE:2026-03-04:1']);
    const withdraw = new WithdrawOverrideHandler(f.calendars);
    expect(await withdraw.execute(new WithdrawOverrideCommand('DE', '2026-03-04', by))).toEqual(declared);
    expect((await preview.execute(query)).countedDays).toEqual(['2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-09']);
    await expect(withdraw.execute(new WithdrawOverrideCommand('DE', '2026-03-04', by))).rejects.toMatchObject({ code: 'override-not-found' });
  });
});
