// One delivered message, start to end but for the broker: checked, then executed as the command the
// HTTP route would execute. A duplicate (same terminationId or requestId) appends nothing: the
// commands derive their events' ids from it. What can never succeed is a rejection (dead-lettered);
// anything else is thrown, for the consumer to retry later.
import type { CommandBus } from '@nestjs/cqrs';
import type { Clock } from '@lethe/clock';
import { DomainError } from '@lethe/domain';
import { RequestDeletionCommand, TerminateContractCommand } from '@lethe/lifecycle';
import type { IntakeRejection } from './dead-letter.js';
import { parseIntakeMessage, type IntakeMessage, type IntakeMessageKind } from './intake-message.schema.js';

export type IntakeOutcome =
  | { readonly outcome: 'processed'; readonly kind: IntakeMessageKind }
  | { readonly outcome: 'invalid' | 'unknown-tenant' | 'refused'; readonly kind: IntakeMessageKind | undefined; readonly rejection: IntakeRejection };

export async function handleIntakeMessage(commands: CommandBus, clock: Clock, routingKey: string, content: Buffer): Promise<IntakeOutcome> {
  const parsed = parseIntakeMessage(routingKey, content, clock.now());
  if (!parsed.ok) return { outcome: 'invalid', kind: parsed.kind, rejection: { code: 'invalid', errors: parsed.errors } };
  const { kind } = parsed.message;
  try {
    await commands.execute(commandFor(parsed.message));
    return { outcome: 'processed', kind };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === 'tenant-not-found') {
      return { outcome: 'unknown-tenant', kind, rejection: { code: error.code, errors: [{ field: 'tenantId', rule: 'must name an onboarded tenant' }] } };
    }
    return { outcome: 'refused', kind, rejection: { code: error.code, errors: [{ field: error.field ?? '(message)', rule: error.message }] } };
  }
}

function commandFor(message: IntakeMessage): TerminateContractCommand | RequestDeletionCommand {
  if (message.kind === 'termination') {
    const { tenantId, terminationId, contractId, effectiveAt, reason } = message.body;
    return new TerminateContractCommand(tenantId, { terminationId, contractId, effectiveAt, ...(reason ? { reason } : {}) }, 'amqp');
  }
  const { tenantId, requestId, requestedAt } = message.body;
  return new RequestDeletionCommand(tenantId, { requestId, ...(requestedAt ? { requestedAt } : {}) });
}
