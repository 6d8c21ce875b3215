import { canApply, CAMPAIGN_STATUSES, CampaignAction, LedgerGroup, summariseLedger } from './campaign-state';

const g = (over: Partial<LedgerGroup>): LedgerGroup => ({
  status: 'SENT',
  reason: 'ONAY_ACCEPTED',
  blockedStage: null,
  failure: null,
  n: 1,
  duplicates: 0,
  ...over,
});

describe('campaign state', () => {
  it.each<[CampaignAction, string[]]>([
    ['launch', ['DRAFT']],
    ['pause', ['RUNNING']],
    ['resume', ['PAUSED']],
    ['cancel', ['DRAFT', 'SCHEDULED', 'RUNNING', 'PAUSED']],
  ])('allows %s only from %j', (action, from) => {
    expect(CAMPAIGN_STATUSES.filter((s) => canApply(action, s))).toEqual(from);
  });

  it('counts a ledger by outcome, reason and stage', () => {
    const counts = summariseLedger([
      g({ status: 'SENT', n: 5, duplicates: 1 }),
      g({ status: 'PENDING', n: 2 }),
      g({ status: 'SENDING', n: 1, duplicates: 1 }),
      g({ status: 'FAILED', failure: 'HARD_BOUNCE', n: 1 }),
      g({ status: 'FAILED', failure: 'TEMPORARY_FAILURE_LIMIT', n: 2 }),
      g({ status: 'BLOCKED', reason: 'NO_CONSENT', blockedStage: 'LAUNCH', n: 3 }),
      g({ status: 'BLOCKED', reason: 'REFUSED', blockedStage: 'LAUNCH', n: 1 }),
      g({ status: 'BLOCKED', reason: 'REFUSED', blockedStage: 'SEND', n: 1 }),
      g({ status: 'CANCELLED', n: 4 }),
    ]);
    expect(counts).toEqual({
      total: 20,
      eligible: 16,
      blocked: { NO_CONSENT: 3, REFUSED: 2 },
      blockedAtSend: 1,
      pending: 2,
      sending: 1,
      sent: 5,
      failed: 3,
      failures: { HARD_BOUNCE: 1, TEMPORARY_FAILURE_LIMIT: 2 },
      cancelled: 4,
      duplicatesPossible: 2,
    });
  });

  it('counts an empty ledger as zeros', () => {
    expect(summariseLedger([])).toMatchObject({ total: 0, eligible: 0, blocked: {}, sent: 0, duplicatesPossible: 0 });
  });
});
