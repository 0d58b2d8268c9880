// /v1/calendars/{jurisdiction}: the working days of a jurisdiction with why each date is off or working,
// operator overrides (declared and withdrawn as events), and a deadline preview.
import { Controller, Delete, Get, HttpCode, Inject, Put } from '@nestjs/common';
import type { CalendarOverrideState } from '@lethe/domain';
import type { Lifecycle } from '@lethe/lifecycle';
import { Caller, Roles, ZodBody, ZodParam, ZodQuery, type CallerContext } from '../../http/index.js';
import { answering } from '../domain-errors.js';
import { LIFECYCLE } from '../lifecycle.token.js';
import { calendarDaysQuery, deadlineQuery, jurisdictionSchema, localDateSchema, overrideBodySchema } from './calendar.schemas.js';
import type { z } from 'zod';

function overrideBody(o: CalendarOverrideState) {
  return { overrideId: o.overrideId, jurisdiction: o.jurisdiction, date: o.date, kind: o.kind, reason: o.reason, declaredBy: o.by, declaredAt: o.at };
}

const actor = (caller: CallerContext | undefined) => ({ role: caller?.role ?? 'unknown' });

@Controller('v1/calendars/:jurisdiction')
export class CalendarsController {
  constructor(@Inject(LIFECYCLE) private readonly lifecycle: Lifecycle) {}

  @Get()
  @Roles('ops-reader')
  async days(@ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string, @ZodQuery(calendarDaysQuery) query: z.output<ReturnType<typeof calendarDaysQuery>>) {
    const calendars = this.lifecycle.calendars;
    const [days, overrides] = await Promise.all([calendars.days(jurisdiction, query.from, query.to, query), calendars.overridesFor(jurisdiction)]);
    return {
      jurisdiction,
      from: query.from,
      to: query.to,
      timeZone: query.timeZone ?? null,
      partialHolidays: query.partialHolidays ?? 'working',
      days,
      overrides: overrides.map(overrideBody),
    };
  }

  @Get('deadline')
  @Roles('ops-reader')
  async deadline(@ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string, @ZodQuery(deadlineQuery) query: z.output<ReturnType<typeof deadlineQuery>>) {
    const result = await this.lifecycle.calendars.deadline(jurisdiction, new Date(query.from), query.workingDays, query);
    return {
      jurisdiction,
      from: new Date(query.from).toISOString(),
      workingDays: query.workingDays,
      deadline: result.deadline.toISOString(),
      startDate: result.startDate,
      countedDays: result.countedDays,
      timeZone: result.timeZone,
      partialHolidays: result.partialHolidays,
      weekends: result.weekends,
      overrideIds: result.overrideIds,
    };
  }

  @Put('overrides/:date')
  @Roles('operator')
  @HttpCode(200)
  async declare(
    @ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string,
    @ZodParam('date', localDateSchema) date: string,
    @ZodBody(overrideBodySchema) body: z.output<typeof overrideBodySchema>,
    @Caller() caller: CallerContext | undefined,
  ) {
    const declared = await answering(() => this.lifecycle.calendars.declare(jurisdiction, date, body.kind, body.reason, actor(caller)));
    return overrideBody(declared);
  }

  @Delete('overrides/:date')
  @Roles('operator')
  @HttpCode(200)
  async withdraw(
    @ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string,
    @ZodParam('date', localDateSchema) date: string,
    @Caller() caller: CallerContext | undefined,
  ) {
    const withdrawn = await answering(() => this.lifecycle.calendars.withdraw(jurisdiction, date, actor(caller)));
    return { withdrawn: overrideBody(withdrawn) };
  }
}
