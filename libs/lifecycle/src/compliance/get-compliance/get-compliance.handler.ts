// Which tenants break P1, P2 or P3 right now: the domain's complianceOf, run over each live key ring
// as the read models hold it. Paged over the live key rings in tenantId order: each page reports the
// violations of its rings (compliance-page.ts), each with the violationId the compliance watch's
// events carry.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '@lethe/clock';
import { violationIdOf } from '@lethe/domain';
import { judgeCompliancePage } from '../compliance-page.js';
import { GetComplianceQuery, type ComplianceReport } from './get-compliance.query.js';

@QueryHandler(GetComplianceQuery)
export class GetComplianceHandler implements IQueryHandler<GetComplianceQuery> {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ page }: GetComplianceQuery): Promise<ComplianceReport> {
    const now = this.clock.now();
    const judged = await judgeCompliancePage(this.db, now, page);
    const findings = judged.items.map((j) => j.findings);
    return {
      at: now.toISOString(),
      P1: findings.flatMap((f) => f.P1.map((v) => ({ violationId: violationIdOf.P1(v), ...v }))),
      P2: findings.flatMap((f) => f.P2.map((v) => ({ violationId: violationIdOf.P2(v), ...v }))),
      P3: findings.flatMap((f) => f.P3.map((v) => ({ violationId: violationIdOf.P3(v), ...v }))),
      nextCursor: judged.nextCursor,
    };
  }
}
