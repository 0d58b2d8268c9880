import type { DestroyedKeyVersion, ProbeOutcome, ShredStep, ShredTrigger, TenantProfile } from './tenant.events.js';
import type { PartialHolidays } from '../shared/working-days.js';

/** Onboarding records the tenant only; its key ring (key, databases) is opened after, from this event. */
export interface OnboardTenant {
  readonly type: 'OnboardTenant';
  /** The profile to record; `partialHolidays` defaults to 'working'. */
  readonly data: Omit<TenantProfile, 'partialHolidays'> & { readonly partialHolidays?: PartialHolidays };
}

export interface ScheduleShred {
  readonly type: 'ScheduleShred';
  readonly data: {
    readonly trigger: ShredTrigger;
    readonly effectiveAt: string;
    readonly receivedAt: string;
    /**
     * Set when the trigger was read from the contract stream by a processor (not decided when
     * received): its revision there, so a cancel decided after it was stored withdraws it.
     */
    readonly contractRevision?: number;
  };
}

/** Force the scheduled shred to execute now (break-glass `shred.execute-now`, under `grantId`). */
export interface ExecuteShredNow {
  readonly type: 'ExecuteShredNow';
  readonly data: { readonly grantId: string };
}

export interface CancelShred {
  readonly type: 'CancelShred';
  readonly data: {
    readonly reason: string;
    /** The contract stream's last revision when the cancel was received (null: no such stream). */
    readonly contractRevision: number | null;
  };
}

export interface StartShredExecution {
  readonly type: 'StartShredExecution';
  readonly data: { readonly shredId: string };
}

export interface RecordKeyDestroyed {
  readonly type: 'RecordKeyDestroyed';
  readonly data: {
    readonly shredId: string;
    readonly keyId: string;
    readonly versions: readonly DestroyedKeyVersion[];
  };
}

/** What the vault now says of the shred's destroyed versions' material (the purge check). */
export interface RecordKeyMaterialPurged {
  readonly type: 'RecordKeyMaterialPurged';
  readonly data: { readonly shredId: string; readonly versions: readonly { readonly keyVersionId: string; readonly purgedAt: string }[] };
}

export interface RecordAssetsPurged {
  readonly type: 'RecordAssetsPurged';
  readonly data: { readonly shredId: string; readonly assets: readonly { readonly kind: string; readonly id: string; readonly purgedAt: string }[] };
}

export interface RecordShredStepFailure {
  readonly type: 'RecordShredStepFailure';
  readonly data: { readonly shredId: string; readonly step: ShredStep; readonly error: string };
}

export interface RecordProbe {
  readonly type: 'RecordProbe';
  readonly data: {
    readonly shredId: string;
    /** Every database the key ring knows: the shred is verified only when each of them was probed key-destroyed. */
    readonly databases: readonly string[];
    readonly results: readonly { readonly databaseId: string; readonly outcome: ProbeOutcome; readonly detail: string }[];
  };
}

export interface CheckShredDeadline {
  readonly type: 'CheckShredDeadline';
  readonly data: { readonly shredId: string };
}

export interface RecordCertificateIssued {
  readonly type: 'RecordCertificateIssued';
  readonly data: { readonly shredId: string; readonly certificateId: string; readonly sha256: string; readonly keyId: string; readonly issuedAt: string };
}

export type TenantCommand =
  | OnboardTenant
  | ScheduleShred
  | CancelShred
  | ExecuteShredNow
  | StartShredExecution
  | RecordKeyDestroyed
  | RecordKeyMaterialPurged
  | RecordAssetsPurged
  | RecordShredStepFailure
  | RecordProbe
  | CheckShredDeadline
  | RecordCertificateIssued;
