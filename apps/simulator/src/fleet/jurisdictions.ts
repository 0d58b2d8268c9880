// The jurisdictions a generated fleet's tenants sit in, with how common each is and the IANA zones a
// tenant there may name explicitly (the first is the one date-holidays lists first, the engine's
// default). Chosen for what they exercise in the working-day rules (ARCHITECTURE §2): Christmas and
// Boxing Day (GB, IE, DE), Scottish bank holidays (GB-SCT), a Land's own holidays (DE-BY), Golden Week
// (JP), a Friday–Saturday weekend (IL, SA, AE), the southern hemisphere's DST (AU-SA, NZ), a half-hour
// offset (AU-SA, IN), a 45-minute one (Pacific/Chatham), and zones other than a country's first (US-TX,
// ES, CA-ON, BR, PT).

export interface JurisdictionChoice {
  readonly code: string;
  /** Relative weight in the fleet. */
  readonly weight: number;
  /** Zones valid for the jurisdiction; the first is date-holidays' first (the engine's default). */
  readonly zones: readonly string[];
}

export const JURISDICTIONS: readonly JurisdictionChoice[] = [
  { code: 'GB-ENG', weight: 14, zones: ['Europe/London'] },
  { code: 'GB-SCT', weight: 5, zones: ['Europe/London'] },
  { code: 'DE-BY', weight: 7, zones: ['Europe/Berlin'] },
  { code: 'DE-BE', weight: 3, zones: ['Europe/Berlin'] },
  { code: 'FR', weight: 6, zones: ['Europe/Paris'] },
  { code: 'IE', weight: 5, zones: ['Europe/Dublin'] },
  { code: 'NL', weight: 4, zones: ['Europe/Amsterdam'] },
  { code: 'ES', weight: 3, zones: ['Europe/Madrid', 'Atlantic/Canary'] },
  { code: 'PT', weight: 2, zones: ['Europe/Lisbon', 'Atlantic/Azores'] },
  { code: 'CH-ZH', weight: 2, zones: ['Europe/Zurich'] },
  { code: 'SE', weight: 2, zones: ['Europe/Stockholm'] },
  { code: 'PL', weight: 2, zones: ['Europe/Warsaw'] },
  { code: 'US-NY', weight: 9, zones: ['America/New_York'] },
  { code: 'US-CA', weight: 5, zones: ['America/Los_Angeles'] },
  { code: 'US-TX', weight: 3, zones: ['America/Chicago', 'America/Denver'] },
  { code: 'CA-ON', weight: 3, zones: ['America/Toronto', 'America/Winnipeg'] },
  { code: 'BR', weight: 2, zones: ['America/Sao_Paulo', 'America/Manaus'] },
  { code: 'JP', weight: 5, zones: ['Asia/Tokyo'] },
  { code: 'SG', weight: 3, zones: ['Asia/Singapore'] },
  { code: 'IN', weight: 2, zones: ['Asia/Kolkata'] },
  { code: 'IL', weight: 4, zones: ['Asia/Jerusalem'] },
  { code: 'SA', weight: 2, zones: ['Asia/Riyadh'] },
  { code: 'AE', weight: 2, zones: ['Asia/Dubai'] },
  { code: 'AU-SA', weight: 4, zones: ['Australia/Adelaide'] },
  { code: 'AU-NSW', weight: 2, zones: ['Australia/Sydney'] },
  { code: 'NZ', weight: 2, zones: ['Pacific/Auckland', 'Pacific/Chatham'] },
];
