// The compliance report over every page, counted: the same rule on the same rows as GET
// /v1/compliance (compliance-page.ts), walked over the live key rings at one instant. Its cost grows
// with the number of live rings (one statement per page, two indexed reads per ring); the engine's /metrics caches it.
import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '@lethe/clock';
import type { KeyPart } from '@lethe/readmodel';
import { judgeCompliancePage } from '../compliance-page.js';
import { CountComplianceQuery, type ComplianceTally } from './count-compliance.query.js';

@QueryHandler(CountComplianceQuery)
export class CountComplianceHandler implements IQueryHandler<CountComplianceQuery> {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ pageSize }: CountComplianceQuery): Promise<ComplianceTally> {
    const now = this.clock.now();
    let rings = 0;
    let P1 = 0;
    let P2 = 0;
    let P3 = 0;
    let databasesBehind = 0;
    let databasesOverdue = 0;
    let after: readonly KeyPart[] | null = null;
    for (;;) {
      const page = await judgeCompliancePage(this.db, now, { limit: pageSize, after });
      for (const { facts, findings } of page.items) {
        rings++;
        P1 += findings.P1.length;
        P2 += findings.P2.length;
        P3 += findings.P3.length;
        databasesBehind += facts.databases.filter((d) => d.keyVersionId !== facts.newest.keyVersionId).length;
        databasesOverdue += findings.P2.reduce((n, v) => n + v.databases.length, 0);
      }
      const last = page.items.at(-1);
      if (page.nextCursor === null || !last) break;
      after = [last.facts.tenantId];
    }
    return { at: now.toISOString(), rings, violations: { P1, P2, P3 }, databasesBehind, databasesOverdue };
  }
}
