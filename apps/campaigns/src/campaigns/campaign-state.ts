/** A campaign's life (design.md §3). Stored and shown to clients: never rename. */
export const CAMPAIGN_STATUSES = ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED', 'COMPLETED', 'CANCELLED'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** A ledger row's state. SENDING: claimed by a worker and on its way to SMTP. */
export const RECIPIENT_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED', 'BLOCKED', 'CANCELLED'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export type CampaignAction = 'launch' | 'pause' | 'resume' | 'cancel';

const ALLOWED_FROM: Record<CampaignAction, readonly CampaignStatus[]> = {
  launch: ['DRAFT'],
  pause: ['RUNNING'],
  resume: ['PAUSED'],
  // A finished campaign stays as it finished; everything before that can be stopped.
  cancel: ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED'],
};

export function canApply(action: CampaignAction, status: CampaignStatus): boolean {
  return ALLOWED_FROM[action].includes(status);
}

export function allowedFrom(action: CampaignAction): readonly CampaignStatus[] {
  return ALLOWED_FROM[action];
}

/** One group of ledger rows as counted in SQL. */
export interface LedgerGroup {
  status: RecipientStatus;
  reason: string;
  blockedStage: 'LAUNCH' | 'SEND' | null;
  failure: string | null;
  n: number;
  duplicates: number;
}

export interface CampaignCounts {
  total: number;
  /** Passed the gate at launch. */
  eligible: number;
  /** Blocked recipients by the gate's reason, at launch and at send time together. */
  blocked: Record<string, number>;
  /** Of those, blocked by the re-check just before sending (consent withdrawn or suppressed after launch). */
  blockedAtSend: number;
  pending: number;
  sending: number;
  sent: number;
  failed: number;
  /** Failed recipients by failure: HARD_BOUNCE, SMTP_REJECTED, TEMPORARY_FAILURE_LIMIT, RENDER_FAILED. */
  failures: Record<string, number>;
  cancelled: number;
  /** Recipients whose send was in flight when a worker died and was repeated: they may have received two. */
  duplicatesPossible: number;
}

export function summariseLedger(groups: LedgerGroup[]): CampaignCounts {
  const c: CampaignCounts = {
    total: 0,
    eligible: 0,
    blocked: {},
    blockedAtSend: 0,
    pending: 0,
    sending: 0,
    sent: 0,
    failed: 0,
    failures: {},
    cancelled: 0,
    duplicatesPossible: 0,
  };
  for (const g of groups) {
    c.total += g.n;
    c.duplicatesPossible += g.duplicates;
    if (!(g.status === 'BLOCKED' && g.blockedStage === 'LAUNCH')) c.eligible += g.n;
    switch (g.status) {
      case 'PENDING':
        c.pending += g.n;
        break;
      case 'SENDING':
        c.sending += g.n;
        break;
      case 'SENT':
        c.sent += g.n;
        break;
      case 'FAILED':
        c.failed += g.n;
        if (g.failure) c.failures[g.failure] = (c.failures[g.failure] ?? 0) + g.n;
        break;
      case 'BLOCKED':
        c.blocked[g.reason] = (c.blocked[g.reason] ?? 0) + g.n;
        if (g.blockedStage === 'SEND') c.blockedAtSend += g.n;
        break;
      case 'CANCELLED':
        c.cancelled += g.n;
        break;
    }
  }
  return c;
}
