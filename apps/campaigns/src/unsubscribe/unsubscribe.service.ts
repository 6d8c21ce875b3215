import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  Clock,
  ConsentRegistry,
  InvalidMovementError,
  type ConsentBrand,
  type ConsentEvidence,
  type ConsentView,
  type MovementView,
} from '@izinli/consent';
import { toConsentBrand } from '../consents/brand-scope';
import { MetricsService } from '../operations/metrics.service';
import { BrandRow, TenancyRepository } from '../tenancy/tenancy.repository';
import { maskEmail } from './mask-address';
import type { UnsubscribePageView } from './unsubscribe-page';
import { UnsubscribeClaims, UnsubscribeTokens } from './unsubscribe-token';

/** What the recipient's browser or mail client told us; kept as the movement's evidence (compliance.md §4). */
export interface RequestEvidence {
  ip?: string;
  userAgent?: string;
}

export type UnsubscribeOutcome =
  /** GET: the page was shown (never counted: scanners follow links). */
  'viewed' | 'recorded' | 'already_unsubscribed' | 'superseded' | 'invalid_link' | 'undone' | 'undo_refused';

export interface UnsubscribeResult {
  outcome: UnsubscribeOutcome;
  status: number;
  view: UnsubscribePageView;
}

interface ResolvedLink {
  token: string;
  claims: UnsubscribeClaims;
  brand: BrandRow;
  consentBrand: ConsentBrand;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// İYS compares consentDates to the second, and an equal one is refused as stale (H178); a movement that must win
// is therefore dated at least one whole second after the one in force, within the registry's future tolerance.
const SECOND_MS = 1000;
const MAX_AHEAD_MS = 50_000;
const UNDO_CONSENT_TEXT =
  'Alıcı, abonelikten çıkma sayfasında az önce yaptığı abonelikten çıkma işlemini geri aldı ("Geri al" düğmesi). ' +
  'Undo from the unsubscribe page: the recipient reversed the unsubscribe they had just made with this link.';

/**
 * The recipient's side of an unsubscribe link (design.md "Unsubscribe (public)"): reading the link, recording the
 * RET through the consent registry (so it reaches İYS, or the brand's webhook in CUSTOMER mode, at once) and the
 * undo of a mistaken click. Nothing here logs an address.
 */
@Injectable()
export class UnsubscribeService {
  private readonly log = new Logger('Unsubscribe');
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    private readonly tokens: UnsubscribeTokens,
    private readonly tenancy: TenancyRepository,
    private readonly registry: ConsentRegistry,
    private readonly clock: Clock,
    private readonly ds: DataSource,
    metrics: MetricsService,
  ) {
    this.outcomes = new Counter({
      name: 'izinli_unsubscribes_total',
      help: 'Unsubscribe link requests that changed or would have changed consent, by outcome.',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  /** GET: what the page shows. Reads only. */
  async page(token: string): Promise<UnsubscribeResult> {
    const link = await this.resolve(token);
    if (!link) return this.invalid(false);
    const consent = await this.current(link);
    const masked = maskEmail(link.claims.recipient);
    if (consent?.status === 'RET') {
      return {
        outcome: 'viewed',
        status: 200,
        view: {
          kind: 'already',
          brandName: link.brand.name,
          maskedAddress: masked,
          undoToken: this.undoTokenFor(link, consent),
        },
      };
    }
    return {
      outcome: 'viewed',
      status: 200,
      view: { kind: 'confirm', brandName: link.brand.name, maskedAddress: masked },
    };
  }

  /** POST (one-click or the confirm form): records RET once; a repeat records nothing. */
  async unsubscribe(token: string, evidence: RequestEvidence): Promise<UnsubscribeResult> {
    const link = await this.resolve(token);
    if (!link) return this.invalid(true);
    const masked = maskEmail(link.claims.recipient);
    const current = await this.current(link);
    if (current?.status === 'RET') {
      return this.count({
        outcome: 'already_unsubscribed',
        status: 200,
        view: {
          kind: 'already',
          brandName: link.brand.name,
          maskedAddress: masked,
          undoToken: this.undoTokenFor(link, current),
        },
      });
    }
    const now = this.clock.now();
    let result;
    try {
      result = await this.registry.record(
        link.consentBrand,
        {
          recipient: link.claims.recipient,
          recipientType: link.claims.recipientType,
          type: 'EPOSTA',
          status: 'RET',
          source: 'HS_EPOSTA',
          consentDate: this.winningDate(now, current),
          evidence: this.evidence(link, evidence, now),
        },
        { origin: 'UNSUBSCRIBE', recordedBy: 'recipient:unsubscribe-link' },
      );
    } catch (err) {
      // A token we signed names an address we could not record (an address the rules refuse): nothing stored.
      if (err instanceof InvalidMovementError) return this.invalid(true, link, err);
      throw err;
    }
    if (result.stale) {
      this.log.warn(
        { brandId: link.brand.id, messageId: link.claims.messageId },
        'unsubscribe kept in the history only: a later-dated movement is in force',
      );
      return this.count({
        outcome: 'superseded',
        status: 200,
        view: { kind: 'superseded', brandName: link.brand.name, maskedAddress: masked },
      });
    }
    // A concurrent click in the same second is the same movement: the registry stored it once.
    const outcome: UnsubscribeOutcome = result.duplicate ? 'already_unsubscribed' : 'recorded';
    this.log.log(
      { brandId: link.brand.id, messageId: link.claims.messageId, outcome, iysState: result.consent.iys.state },
      'unsubscribe',
    );
    return this.count({
      outcome,
      status: 200,
      view: {
        kind: 'done',
        brandName: link.brand.name,
        maskedAddress: masked,
        undoToken: this.undoTokenFor(link, result.consent),
      },
    });
  }

  /**
   * Undoes a mistaken click: a new ONAY (HS_WEB), but only while the movement in force is the RET this same link
   * recorded, checked again under the key's lock when the ONAY is recorded. Anything later (a refusal made
   * elsewhere, an approval, a pulled İYS change) wins, even one landing between the page's check and the record: an
   * old link can never re-subscribe someone who decided otherwise afterwards.
   */
  async undo(token: string, evidence: RequestEvidence): Promise<UnsubscribeResult> {
    const link = await this.resolve(token);
    if (!link) return this.invalid(true);
    const masked = maskEmail(link.claims.recipient);
    const current = await this.current(link);
    if (!current || !this.undoTokenFor(link, current)) {
      return this.count({
        outcome: 'undo_refused',
        status: 409,
        view: { kind: 'undo-refused', brandName: link.brand.name, maskedAddress: masked },
      });
    }
    const now = this.clock.now();
    const result = await this.registry.record(
      link.consentBrand,
      {
        recipient: link.claims.recipient,
        recipientType: link.claims.recipientType,
        type: 'EPOSTA',
        status: 'ONAY',
        source: 'HS_WEB',
        consentDate: this.winningDate(now, current),
        evidence: { ...this.evidence(link, evidence, now), consentText: UNDO_CONSENT_TEXT },
      },
      // Not over a movement recorded since `current` was read: that later choice wins, as if it had come first.
      { origin: 'UNSUBSCRIBE', recordedBy: 'recipient:unsubscribe-undo', onlyIfInForce: current },
    );
    if (result.stale || result.conflict) {
      return this.count({
        outcome: 'undo_refused',
        status: 409,
        view: { kind: 'undo-refused', brandName: link.brand.name, maskedAddress: masked },
      });
    }
    this.log.log({ brandId: link.brand.id, messageId: link.claims.messageId, outcome: 'undone' }, 'unsubscribe undone');
    return this.count({
      outcome: 'undone',
      status: 200,
      view: { kind: 'undone', brandName: link.brand.name, maskedAddress: masked },
    });
  }

  /** Counts a request that was refused before reading its link (a POST the page did not send, say). */
  countInvalid(): void {
    this.outcomes.inc({ outcome: 'invalid_link' });
  }

  private async resolve(token: string): Promise<ResolvedLink | null> {
    const claims = this.tokens.verify(token);
    if (!claims || !UUID.test(claims.brandId)) return null;
    // A brand deleted since the mail went out: there is nobody to unsubscribe from, and nothing to record.
    const brand = await this.tenancy.findBrandById(this.ds, claims.brandId);
    if (!brand) return null;
    return { token, claims, brand, consentBrand: toConsentBrand(brand) };
  }

  private current(link: ResolvedLink): Promise<ConsentView | undefined> {
    return this.registry.get(link.consentBrand, 'EPOSTA', link.claims.recipient, link.claims.recipientType);
  }

  /** The link's token when the movement in force is the RET this link recorded, so the page may offer the undo. */
  private undoTokenFor(link: ResolvedLink, consent: ConsentView): string | null {
    const inForce = movementInForce(consent);
    const own =
      inForce?.status === 'RET' &&
      inForce.origin === 'UNSUBSCRIBE' &&
      inForce.evidence?.messageId === link.claims.messageId;
    return own ? link.token : null;
  }

  /** Now, to the second; or one second after the movement in force when that is not earlier (clock skew, same second). */
  private winningDate(now: Date, current: ConsentView | undefined): Date {
    const nowSecond = Math.floor(now.getTime() / SECOND_MS) * SECOND_MS;
    if (!current) return new Date(nowSecond);
    const after = Math.floor(new Date(current.consentDate).getTime() / SECOND_MS) * SECOND_MS + SECOND_MS;
    if (after <= nowSecond) return new Date(nowSecond);
    // Further ahead than the registry accepts: record it at now and let it be kept as stale (answered, never a 500).
    return after - now.getTime() <= MAX_AHEAD_MS ? new Date(after) : new Date(nowSecond);
  }

  private evidence(link: ResolvedLink, e: RequestEvidence, now: Date): ConsentEvidence {
    return {
      capturedAt: now.toISOString(),
      reference: link.claims.messageId,
      messageId: link.claims.messageId,
      ...(e.ip ? { ip: e.ip } : {}),
      ...(e.userAgent ? { userAgent: e.userAgent.slice(0, 1000) } : {}),
    };
  }

  private invalid(counts: boolean, link?: ResolvedLink, err?: InvalidMovementError): UnsubscribeResult {
    if (link && err)
      this.log.warn(
        { brandId: link.brand.id, messageId: link.claims.messageId, codes: err.problems.map((p) => p.code) },
        'unsubscribe link names an address that cannot be recorded',
      );
    const result: UnsubscribeResult = { outcome: 'invalid_link', status: 400, view: { kind: 'invalid' } };
    return counts ? this.count(result) : result;
  }

  private count(result: UnsubscribeResult): UnsubscribeResult {
    this.outcomes.inc({ outcome: result.outcome });
    return result;
  }
}

/** The movement that made the current state: the latest non-stale movement with the current status, date and source. */
export function movementInForce(consent: ConsentView): MovementView | undefined {
  const at = new Date(consent.consentDate).getTime();
  for (let i = consent.history.length - 1; i >= 0; i--) {
    const h = consent.history[i];
    if (
      !h.stale &&
      h.status === consent.status &&
      h.source === consent.source &&
      new Date(h.consentDate).getTime() === at
    )
      return h;
  }
  return undefined;
}
