// The upcasters of the domain's events: one entry per event type whose data changed shape since it
// was first stored, with a step per version. Every read path (aggregate loads, processor delivery,
// certificate building) runs stored events through `upcastEvent`, so deciders, projections and
// sagas only ever see the current shape and carry no defaults for fields older events lack.
import type { BackupRecorded, KeyRingOpened } from './keys/key-ring.events.js';
import { DEFAULT_PITR_RETENTION_DAYS, DEFAULT_ROTATION_PERIOD_DAYS } from './promises.js';
import type { DomainEvent } from './shared/decider.js';
import { Upcasters, type StoredEventShape, type UpcastStep } from './shared/upcasting.js';
import type { DestroyedKeyVersion, TenantOnboarded } from './tenant/tenant.events.js';

/** Data of `E` as written before `added` existed: those fields may be missing. */
type Before<E extends DomainEvent, K extends keyof E['data']> = Omit<E['data'], K> & Partial<Pick<E['data'], K>>;

function step<E extends DomainEvent, K extends keyof E['data']>(upcast: (old: Before<E, K>) => E['data']): UpcastStep {
  return upcast as unknown as UpcastStep;
}

export const domainUpcasters = new Upcasters({
  /**
   * v2: the tenant's calendar choice (`partialHolidays`, calendar v2) and the key ring's policies
   * (`rotationPeriodDays`, `pitrRetentionDays`) are part of the profile; older tenants had the defaults.
   */
  TenantOnboarded: {
    current: 2,
    steps: {
      1: step<TenantOnboarded, 'partialHolidays' | 'rotationPeriodDays' | 'pitrRetentionDays'>((old) => ({
        ...old,
        partialHolidays: old.partialHolidays ?? 'working',
        rotationPeriodDays: old.rotationPeriodDays ?? DEFAULT_ROTATION_PERIOD_DAYS,
        pitrRetentionDays: old.pitrRetentionDays ?? DEFAULT_PITR_RETENTION_DAYS,
      })),
    },
  },
  /** v2: rings opened before the backup policy existed had the default point-in-time window. */
  KeyRingOpened: {
    current: 2,
    steps: {
      1: step<KeyRingOpened, 'pitrRetentionDays'>((old) => ({ ...old, pitrRetentionDays: old.pitrRetentionDays ?? DEFAULT_PITR_RETENTION_DAYS })),
    },
  },
  /**
   * v2: each destroyed version says when its purge is expected (deletion windows); versions destroyed
   * before had no date recorded for a purge still to come (the local vault always purged at once).
   */
  KeyDestroyed: {
    current: 2,
    steps: {
      1: (old) => ({
        ...old,
        versions: (old.versions as readonly Omit<DestroyedKeyVersion, 'purgeExpectedAt'>[]).map((v) => ({ ...v, purgeExpectedAt: (v as Partial<DestroyedKeyVersion>).purgeExpectedAt ?? null })),
      }),
    },
  },
  /** v2: backups recorded before protections were told apart were customer-key backups, never flagged. */
  BackupRecorded: {
    current: 2,
    steps: {
      1: step<BackupRecorded, 'protection' | 'unrestorable'>((old) => ({
        ...old,
        protection: old.protection ?? 'customer-key',
        unrestorable: old.unrestorable ?? null,
      })),
    },
  },
});

/** A stored event with its data in the current shape of its type (see Upcasters.upcast). */
export function upcastEvent<E extends StoredEventShape>(event: E): E {
  return domainUpcasters.upcast(event);
}

/** The `metadata.schemaVersion` to write a new event of `type` with. */
export function schemaVersionOf(type: string): number {
  return domainUpcasters.currentVersion(type);
}
