// The one event both sides write: ~300 bytes of jsonb, the size of a typical domain event.
export const EVENT_TYPE = 'TenantKeyRotated';

export const EVENT_DATA = {
  tenantId: 'tenant-7f3c2a9e-4b1d-4e8a-9c55-2d6f0b8a1e34',
  keyId: 'key-2c9e8f1a-7d3b-4a6e-b5c4-9e0f1d2a3b4c',
  algorithm: 'AES-256-GCM',
  rotatedAt: '2025-11-29T10:15:30.123Z',
  reason: 'scheduled-rotation',
  policy: { rotationDays: 90, retentionDays: 365, jurisdiction: 'DE-BY' },
  initiatedBy: 'scheduler',
} as const;

export const EVENT_METADATA = { schemaVersion: 1 } as const;

export const EVENT_DATA_BYTES = Buffer.byteLength(JSON.stringify(EVENT_DATA));
