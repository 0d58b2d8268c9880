// GET /metrics: Prometheus text exposition for ops-reader tokens (Prometheus sends one with
// `authorization: { credentials_file: ... }`); 401/403 like every other route. Fleet metrics are
// read from the database at each scrape; the catalogue is metric-catalogue.ts.
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiProduces, ApiResponse } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { Roles } from '../http/index.js';
import { ENGINE_METRICS } from './fleet-reader.js';
import type { EngineMetrics } from './engine-metrics.js';

const EXAMPLE = [
  '# HELP lethe_shreds Shreds, current and past, by status (shred-scheduled, shredding, shredded, verified, breached, cancelled)',
  '# TYPE lethe_shreds gauge',
  'lethe_shreds{status="verified"} 12',
  'lethe_shreds{status="shred-scheduled"} 2',
  '',
].join('\n');

@Controller('metrics')
export class MetricsController {
  constructor(@Inject(ENGINE_METRICS) private readonly metrics: EngineMetrics) {}

  @Get()
  @Roles('ops-reader')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiResponse({
    status: 200,
    description:
      'Prometheus text format 0.0.4: promise-level metrics read from the database at each scrape (the same on every instance) and this instance\'s own vault, data-plane and HTTP metrics. No tenant id appears. The metrics, their types and labels are listed in docs/operations.md.',
    content: { 'text/plain': { schema: { type: 'string' }, example: EXAMPLE } },
  })
  async scrape(): Promise<string> {
    return this.metrics.render();
  }
}
