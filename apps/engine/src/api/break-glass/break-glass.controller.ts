// /v1/break-glass: request, approve, revoke and read break-glass grants (issue 16). Operators request
// and revoke; approvers (role `approver`, never the requester) approve; ops-readers read.
import { Controller, Get, HttpCode, Inject, Post, UseFilters } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { CLOCK, type Clock } from '@lethe/clock';
import { ApproveGrantCommand, GetGrantQuery, GetGrantUsesQuery, ListGrantsQuery, RequestGrantCommand, RevokeGrantCommand } from '@lethe/lifecycle';
import { Answer, Caller, ProblemException, Problems, Roles, ZodBody, ZodParam, ZodQuery, type CallerContext } from '../../http/index.js';
import { pageRequest } from '../paging.schema.js';
import { DomainErrorFilter } from '../domain-error.filter.js';
import { EXAMPLES, grantAnswer, grantCreatedAnswer, grantListAnswer, grantUsesAnswer } from './break-glass.answers.js';
import { grantBody } from './break-glass.presenter.js';
import { grantIdSchema, listGrantsQuery, requestGrantSchema } from './break-glass.schemas.js';
import type { z } from 'zod';

const subject = (caller: CallerContext | undefined): string => caller?.subject ?? 'unknown';

/** The 404 of a grant id no grant has. */
const grantNotFound = () =>
  new ProblemException({ status: 404, detail: 'break-glass grant not found', type: 'urn:lethe:problem:grant-not-found', extensions: { code: 'grant-not-found' } });

@Controller('v1/break-glass')
@UseFilters(DomainErrorFilter)
export class BreakGlassController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @Roles('operator')
  @HttpCode(201)
  @Answer(
    201,
    grantCreatedAnswer,
    EXAMPLES.created,
    'The grant is requested: it needs LETHE_BREAK_GLASS_APPROVALS distinct approvers, none of them the requester, within 24 hours (then it lapses). A scope naming a tenant or an operation twice: 400 naming the field, nothing stored',
  )
  async request(@ZodBody(requestGrantSchema) body: z.output<typeof requestGrantSchema>, @Caller() caller: CallerContext | undefined) {
    const grant = await this.commands.execute(new RequestGrantCommand(subject(caller), body.taskRef, body.reason, body.scope, body.durationMinutes));
    return { grantId: grant.grantId, status: 'requested' as const };
  }

  @Get()
  @Roles('ops-reader', 'approver')
  @Answer(200, grantListAnswer, EXAMPLES.list, 'The grants, the newest first, a page at a time')
  async list(@ZodQuery(listGrantsQuery) query: z.output<typeof listGrantsQuery>) {
    const now = this.clock.now();
    const page = await this.queries.execute(new ListGrantsQuery({ now, ...(query.status ? { status: query.status } : {}) }, pageRequest(query)));
    return { items: page.items.map((g) => grantBody(g, now)), nextCursor: page.nextCursor };
  }

  @Get(':grantId')
  @Roles('ops-reader', 'approver')
  @Answer(200, grantAnswer, EXAMPLES.grant, 'The grant as its events say now')
  @Problems(404)
  async get(@ZodParam('grantId', grantIdSchema) grantId: string) {
    const grant = await this.queries.execute(new GetGrantQuery(grantId));
    if (!grant) throw grantNotFound();
    return grantBody(grant, this.clock.now());
  }

  @Get(':grantId/uses')
  @Roles('ops-reader', 'approver')
  @Answer(200, grantUsesAnswer, EXAMPLES.uses, 'Who used the grant, on which tenant and for what, and who was refused with it and why, oldest first')
  @Problems(404)
  async uses(@ZodParam('grantId', grantIdSchema) grantId: string) {
    const items = await this.queries.execute(new GetGrantUsesQuery(grantId));
    if (!items) throw grantNotFound();
    return { items };
  }

  @Post(':grantId/approvals')
  @Roles('approver')
  @HttpCode(200)
  @Answer(200, grantAnswer, EXAMPLES.grant, 'The grant after this approval: `approved` (and active for its duration) once it has enough distinct approvers. The requester approving their own grant: 403 `break-glass-self-approval`. A revoked or expired grant, or a request past its `approveBy` (requested more than 24 hours ago, lapsed even before its timer records it): 409 `grant-closed`')
  @Problems(404, 409)
  async approve(@ZodParam('grantId', grantIdSchema) grantId: string, @Caller() caller: CallerContext | undefined) {
    return grantBody(await this.commands.execute(new ApproveGrantCommand(grantId, subject(caller))), this.clock.now());
  }

  @Post(':grantId/revoke')
  @Roles('operator', 'approver')
  @HttpCode(200)
  @Answer(200, grantAnswer, EXAMPLES.grant, 'The grant, revoked (a revoked or expired grant stays as it was)')
  @Problems(404)
  async revoke(@ZodParam('grantId', grantIdSchema) grantId: string, @Caller() caller: CallerContext | undefined) {
    return grantBody(await this.commands.execute(new RevokeGrantCommand(grantId, subject(caller))), this.clock.now());
  }
}
