// /v1/calendars/{jurisdiction}: the working days of a jurisdiction with why each date is off or working,
// operator overrides (declared and withdrawn as events), and a deadline preview.
import { Controller, Delete, Get, HttpCode, Put, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CalendarDaysQuery, DeadlinePreviewQuery, DeclareOverrideCommand, WithdrawOverrideCommand } from '@lethe/lifecycle';
import { Answer, Caller, Problems, Roles, ZodBody, ZodParam, ZodQuery, type CallerContext } from '../../http/index.js';
import { daysAnswer, deadlineAnswer, EXAMPLES, overrideAnswer, withdrawnAnswer } from './calendar.answers.js';
import { DomainErrorFilter } from '../domain-error.filter.js';
import { daysBody, deadlineBody, overrideBody } from './calendar.presenter.js';
import { calendarDaysQuery, deadlineQuery, jurisdictionSchema, localDateSchema, overrideBodySchema } from './calendar.schemas.js';
import type { z } from 'zod';

const actor = (caller: CallerContext | undefined) => (caller === undefined ? { role: 'unknown' } : { role: caller.roles.join(',') || 'none', subject: caller.subject });

@Controller('v1/calendars/:jurisdiction')
@UseFilters(DomainErrorFilter)
export class CalendarsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Get()
  @Roles('ops-reader')
  @Answer(200, daysAnswer, EXAMPLES.days, 'Each date from `from` to `to`, working or not and why')
  async days(@ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string, @ZodQuery(calendarDaysQuery) query: z.output<ReturnType<typeof calendarDaysQuery>>) {
    return daysBody(jurisdiction, query, await this.queries.execute(new CalendarDaysQuery(jurisdiction, query.from, query.to, query)));
  }

  @Get('deadline')
  @Roles('ops-reader')
  @Answer(200, deadlineAnswer, EXAMPLES.deadline, 'The deadline of n working days from `from`, with the days counted')
  async deadline(@ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string, @ZodQuery(deadlineQuery) query: z.output<ReturnType<typeof deadlineQuery>>) {
    const from = new Date(query.from);
    return deadlineBody(jurisdiction, from, query.workingDays, await this.queries.execute(new DeadlinePreviewQuery(jurisdiction, from, query.workingDays, query)));
  }

  @Put('overrides/:date')
  @Roles('operator')
  @HttpCode(200)
  @Answer(200, overrideAnswer, EXAMPLES.override, 'The override as declared')
  @Problems(409)
  async declare(
    @ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string,
    @ZodParam('date', localDateSchema) date: string,
    @ZodBody(overrideBodySchema) body: z.output<typeof overrideBodySchema>,
    @Caller() caller: CallerContext | undefined,
  ) {
    return overrideBody(await this.commands.execute(new DeclareOverrideCommand(jurisdiction, date, body.kind, body.reason, actor(caller))));
  }

  @Delete('overrides/:date')
  @Roles('operator')
  @HttpCode(200)
  @Answer(200, withdrawnAnswer, EXAMPLES.withdrawn, 'The override withdrawn')
  @Problems(404)
  async withdraw(
    @ZodParam('jurisdiction', jurisdictionSchema) jurisdiction: string,
    @ZodParam('date', localDateSchema) date: string,
    @Caller() caller: CallerContext | undefined,
  ) {
    return { withdrawn: overrideBody(await this.commands.execute(new WithdrawOverrideCommand(jurisdiction, date, actor(caller)))) };
  }
}
