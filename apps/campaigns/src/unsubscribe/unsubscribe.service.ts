import { Injectable, Logger } from '@nestjs/common';
import { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  Clock,
  ConsentRegistry,
  InvalidMovementError,
  normalizeRecipient,
  type ConsentBrand,
  type ConsentEvidence,
  type ConsentStatus,
  type ConsentView,
} from '@izinli/consent';
import { toConsentBrand } from '../consents/brand-scope';
import { MetricsService } from '../operations/metrics.service';
import { BrandRow, TenancyRepository } from '../tenancy/tenancy.repository';
import { maskEmail } from './mask-address';
import { UndoRefusal, undoRefusal } from './undo-policy';
import type { UnsubscribePageView } from './unsubscribe-page';
import { LinkKey, UnsubscribeRepository } from './unsubscribe.repository';
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
  /** The brand, message and normalised consent key, as `unsubscribes` is searched by. */
  key: LinkKey;
}

/** Thrown inside the undo's transaction when its unsubscribe was marked undone meanwhile: the ONAY rolls back. */
class AlreadyUndone extends Error {}

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
    private readonly unsubscribes: UnsubscribeRepository,
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
          undoToken: await this.undoTokenFor(link),
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
          undoToken: await this.undoTokenFor(link),
        },
      });
    }
    const now = this.clock.now();
    let replaced: ConsentStatus | undefined;
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
          consentDate: this.winningDate(now, current?.consentDate),
          evidence: this.evidence(link, evidence, now),
        },
        {
          origin: 'UNSUBSCRIBE',
          recordedBy: 'recipient:unsubscribe-link',
          // What the RET replaced, read under the key's lock and stored with it: the undo may only restore an ONAY.
          alongside: async (tx, recorded) => {
            replaced = recorded.replaced?.status;
            await this.unsubscribes.insert(tx, {
              retMovementId: recorded.movementId,
              brandId: link.brand.id,
              messageId: link.claims.messageId,
              replaced: recorded.replaced,
              unsubscribedAt: now,
            });
          },
        },
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
    const undoToken = result.duplicate ? await this.undoTokenFor(link) : replaced === 'ONAY' ? link.token : null;
    this.log.log(
      { brandId: link.brand.id, messageId: link.claims.messageId, outcome, iysState: result.consent.iys.state },
      'unsubscribe',
    );
    return this.count({
      outcome,
      status: 200,
      view: { kind: 'done', brandName: link.brand.name, maskedAddress: masked, undoToken },
    });
  }

  /**
   * Undoes a mistaken click (compliance.md §3.8): restores the ONAY that this link's RET replaced, within
   * UNDO_WINDOW_MS of the RET, once, and only while that RET is still the very movement in force (checked again under
   * the key's lock as the ONAY is recorded, together with marking the unsubscribe undone). Anything else is refused
   * with the reason, and nothing is recorded: an undo never creates a consent that did not exist, and an old link
   * never overrides a choice made afterwards, through İYS or anywhere else.
   */
  async undo(token: string, evidence: RequestEvidence): Promise<UnsubscribeResult> {
    const link = await this.resolve(token);
    if (!link) return this.invalid(true);
    const now = this.clock.now();
    const record = await this.unsubscribes.latestForLink(this.ds, link.key);
    const refusal = undoRefusal(record, now);
    if (refusal || !record) return this.undoRefused(link, refusal ?? 'NO_UNSUBSCRIBE');
    const consentDate = this.winningDate(now, record.retConsentDate);
    // Only reachable with a RET dated further ahead than the registry accepts; recording would keep a stale ONAY.
    if (consentDate.getTime() <= record.retConsentDate.getTime()) return this.undoRefused(link, 'CHANGED');
    let result;
    try {
      result = await this.registry.record(
        link.consentBrand,
        {
          recipient: link.claims.recipient,
          recipientType: link.claims.recipientType,
          type: 'EPOSTA',
          status: 'ONAY',
          source: 'HS_WEB',
          consentDate,
          evidence: { ...this.evidence(link, evidence, now), consentText: UNDO_CONSENT_TEXT },
        },
        {
          origin: 'UNSUBSCRIBE',
          recordedBy: 'recipient:unsubscribe-undo',
          onlyIfInForce: {
            status: 'RET',
            source: record.retSource,
            consentDate: record.retConsentDate.toISOString(),
            movementId: record.retMovementId,
          },
          alongside: async (tx, recorded) => {
            if (!(await this.unsubscribes.markUndone(tx, record.retMovementId, recorded.movementId, now)))
              throw new AlreadyUndone();
          },
        },
      );
    } catch (err) {
      if (err instanceof AlreadyUndone) return this.undoRefused(link, 'ALREADY_UNDONE');
      throw err;
    }
    if (result.conflict || result.stale || result.duplicate) {
      // Another movement won the key's lock first: say which, as a fresh read tells it.
      const again = undoRefusal(await this.unsubscribes.latestForLink(this.ds, link.key), now);
      return this.undoRefused(link, again ?? 'CHANGED');
    }
    this.log.log({ brandId: link.brand.id, messageId: link.claims.messageId, outcome: 'undone' }, 'unsubscribe undone');
    return this.count({
      outcome: 'undone',
      status: 200,
      view: { kind: 'undone', brandName: link.brand.name, maskedAddress: maskEmail(link.claims.recipient) },
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
    const address = normalizeRecipient('EPOSTA', claims.recipient);
    const key: LinkKey = {
      brandId: brand.id,
      messageId: claims.messageId,
      recipient: address.ok ? address.value : claims.recipient,
      recipientType: claims.recipientType,
    };
    return { token, claims, brand, consentBrand: toConsentBrand(brand), key };
  }

  private current(link: ResolvedLink): Promise<ConsentView | undefined> {
    return this.registry.get(link.consentBrand, 'EPOSTA', link.claims.recipient, link.claims.recipientType);
  }

  /** The link's token when its undo would be accepted now, so the page offers it; null otherwise. */
  private async undoTokenFor(link: ResolvedLink): Promise<string | null> {
    const record = await this.unsubscribes.latestForLink(this.ds, link.key);
    return undoRefusal(record, this.clock.now()) === null ? link.token : null;
  }

  private undoRefused(link: ResolvedLink, reason: UndoRefusal): UnsubscribeResult {
    this.log.log({ brandId: link.brand.id, messageId: link.claims.messageId, reason }, 'unsubscribe undo refused');
    return this.count({
      outcome: 'undo_refused',
      status: 409,
      view: {
        kind: 'undo-refused',
        brandName: link.brand.name,
        maskedAddress: maskEmail(link.claims.recipient),
        reason,
      },
    });
  }

  /** Now, to the second; or one second after the movement in force when that is not earlier (clock skew, same second). */
  private winningDate(now: Date, inForce: Date | string | null | undefined): Date {
    const nowSecond = Math.floor(now.getTime() / SECOND_MS) * SECOND_MS;
    if (inForce === null || inForce === undefined) return new Date(nowSecond);
    const after = Math.floor(new Date(inForce).getTime() / SECOND_MS) * SECOND_MS + SECOND_MS;
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
