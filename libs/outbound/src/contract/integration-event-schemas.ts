// The JSON Schema of each integration event type (draft-07), published in docs/events.md: a test
// checks the document shows exactly these, and that every mapped event validates against its own.
import { SCHEMA_VERSION, type IntegrationEventType } from './integration-event.js';

type JsonSchema = Readonly<Record<string, unknown>>;

const id: JsonSchema = { type: 'string', minLength: 1 };
const instant: JsonSchema = { type: 'string', format: 'date-time' };
const ids: JsonSchema = { type: 'array', items: id };
const object = (properties: Record<string, JsonSchema>): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  required: Object.keys(properties),
  properties,
});

const trigger: JsonSchema = {
  oneOf: [
    object({ kind: { const: 'termination' }, terminationId: id, contractId: id }),
    object({ kind: { const: 'deletion-request' }, requestId: id }),
  ],
};

const promise: JsonSchema = { enum: ['P1', 'P2', 'P3'] };
const violationDetail: JsonSchema = {
  oneOf: [
    object({ problem: { const: 'key-version-too-old' }, keyCustody: { enum: ['managed', 'client'] }, keyVersionId: id, createdAt: instant, limitDays: { type: 'integer', minimum: 1 } }),
    object({ problem: { const: 'databases-not-reprotected' }, keyVersionId: id, databaseIds: { ...ids, minItems: 1 } }),
    object({ problem: { const: 'kept-after-retain-until' }, keyVersionId: id, retainUntil: instant }),
    object({ problem: { const: 'backup-needs-retired-key-version' }, backupId: id, keyVersionIds: { ...ids, minItems: 1 }, expiresAt: instant }),
  ],
};

const PAYLOADS: { readonly [T in IntegrationEventType]: JsonSchema } = {
  'tenant.onboarded': object({
    jurisdiction: id,
    timeZone: id,
    keyCustody: { enum: ['managed', 'client'] },
    backupKeyMode: { enum: ['customer', 'platform'] },
    databaseIds: ids,
    rotationPeriodDays: { type: 'integer', minimum: 1 },
    pitrRetentionDays: { type: 'integer', minimum: 0 },
    shredGraceWorkingDays: { type: 'integer', minimum: 0 },
  }),
  'key.version-added': object({ keyVersionId: id, source: { enum: ['policy', 'manual', 'detected'] }, createdAt: instant }),
  'key.database-reprotected': object({ databaseId: id, fromKeyVersionId: id, toKeyVersionId: id }),
  'key.reprotection-overdue': object({ databaseId: id, keyVersionId: id, dueBy: instant }),
  'key.version-retired': object({ keyVersionId: id, retainUntil: instant }),
  'key.version-enabled': object({ keyVersionId: id, enabledUntil: instant, grantId: id }),
  'key.version-destroyed': object({ keyVersionId: id }),
  'shred.scheduled': object({ shredId: id, trigger, effectiveAt: instant, deadline: instant, executeAt: instant }),
  'shred.rescheduled': object({ shredId: id, trigger, deadline: instant, executeAt: instant, previousDeadline: instant, previousExecuteAt: instant }),
  'shred.cancelled': object({ shredId: id }),
  'shred.executed': object({ shredId: id, keyId: id, keyVersions: { type: 'array', items: object({ keyVersionId: id, unusableAt: instant }) } }),
  'shred.verified': object({
    shredId: id,
    certificate: object({
      id,
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      signingKeyId: id,
      href: { type: 'string', pattern: '^/v1/tenants/[^/]+/deletion-certificate$' },
    }),
  }),
  'shred.verification-failed': object({ shredId: id, attempt: { type: 'integer', minimum: 1 }, readableDatabaseIds: ids }),
  'shred.deadline-breached': object({ shredId: id, cause: { enum: ['late-notification', 'not-verified-by-deadline'] }, deadline: instant }),
  'backup.unrestorable': object({
    backupId: id,
    databaseId: id,
    backupKind: { enum: ['pitr', 'full', 'ltr'] },
    reason: { const: 'key-version-retired' },
    retiredKeyVersionIds: { ...ids, minItems: 1 },
    expiresAt: instant,
  }),
  'compliance.violation-opened': object({ promise, violationId: id, openedAt: instant, detail: violationDetail }),
  'compliance.violation-closed': object({ promise, violationId: id, openedAt: instant, closedAt: instant }),
};

/** The whole message of `type` (envelope and payload), as one standalone schema. */
export function integrationEventSchema(type: IntegrationEventType): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:lethe:event:${type}:v${SCHEMA_VERSION}`,
    title: type,
    ...object({
      id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' },
      type: { const: type },
      schemaVersion: { const: SCHEMA_VERSION },
      time: instant,
      tenantId: id,
      position: { type: 'string', pattern: '^[1-9][0-9]*$' },
      data: PAYLOADS[type],
    }),
  };
}
