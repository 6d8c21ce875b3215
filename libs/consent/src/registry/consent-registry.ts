import { Injectable, Logger, Optional } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { normalizeRecipient } from '../addresses';
import { BusinessCalendar } from '../calendar';
import { Clock } from '../clock';
import type { IysType, RecipientType } from '../domain';
import type { IysMovement } from '../iys/iys-wire';
import { CommittedMovements, OutboxListener } from '../sync/outbox-listener';
import type { ConsentBrand, ConsentView, IysView, MovementInput, MovementOrigin, MovementView } from './consent.types';
import {
  decideOutbox,
  isOlderThan,
  laterMovementProblems,
  MovementProblem,
  OutboxDecision,
  validateMovement,
  ValidMovement,
} from './movement-rules';
import { ConsentKey, ConsentRow, HistoryRow, RegistryRepository } from './registry.repository';
import { AppliedIysMovements, applyIysMovements, IysOrigin } from '../sync/iys-movements';

/** A movement İYS would refuse or that is not well-formed; nothing was stored. */
export class InvalidMovementError extends Error {
  constructor(readonly problems: MovementProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'InvalidMovementError';
  }
}

export interface RecordResult {
  /** The movement was older than the current one: kept in the history, state unchanged (answer 409). */
  stale: boolean;
  /** The same movement as the current one was submitted again: nothing new was stored. */
  duplicate: boolean;
  /**
   * `onlyIfInForce` was given and another movement is in force by the time the key was locked (or none is): nothing
   * was stored, and `consent` is what is in force (undefined for a key with nothing recorded).
   */
  conflict: boolean;
  consent: ConsentView;
}

/**
 * The movement in force, as a caller read it: its status, source and consent date (what makes it current), or,
 * stricter, its id when the caller knows it.
 */
export type InForce = Pick<ConsentView, 'status' | 'source' | 'consentDate'> & { movementId?: string };

/** A movement that took effect, and the one it replaced in force (as it was under the key's lock). */
export interface RecordedMovement {
  movementId: string;
  replaced?: { movementId: string; status: ConsentView['status'] };
}

export interface RecordMeta {
  origin: MovementOrigin;
  recordedBy: string;
  /**
   * Record only while this is still the movement in force, checked under the key's lock: a movement decided on
   * what the caller read (an undo, say) is not recorded over one that landed after that read.
   */
  onlyIfInForce?: InForce;
  /**
   * Runs in the movement's transaction, under the key's lock, once a movement that takes effect (not stale, not a
   * repeat, no conflict) is stored; an error it throws rolls the movement back. What the caller keeps beside a
   * movement (the unsubscribe link that recorded it, say) commits with it or not at all.
   */
  alongside?: (tx: EntityManager, recorded: RecordedMovement) => Promise<void>;
}

/**
 * The consent registry: append-only movements with their evidence, the current state per key by
 * latest-consentDate-wins, and one outgoing İYS row per movement for the sync engine.
 */
@Injectable()
export class ConsentRegistry {
  private readonly log = new Logger('ConsentRegistry');

  constructor(
    private readonly ds: DataSource,
    private readonly repo: RegistryRepository,
    private readonly calendar: BusinessCalendar,
    private readonly clock: Clock,
    @Optional() private readonly listener?: OutboxListener,
  ) {}

  /** Records a movement obtained by the service provider (API, import, unsubscribe). */
  async record(brand: ConsentBrand, input: MovementInput, meta: RecordMeta): Promise<RecordResult> {
    const now = this.clock.now();
    const checked = validateMovement(input, now, this.calendar);
    if (!checked.ok) throw new InvalidMovementError(checked.problems);
    const m = checked.value;
    const key: ConsentKey = { brandId: brand.id, type: m.type, recipient: m.recipient, recipientType: m.recipientType };

    const outcome = await this.ds.transaction(async (tx) => {
      await this.repo.lockKey(tx, key);
      const current = await this.repo.current(tx, key);
      if (meta.onlyIfInForce && !(current && stillInForce(current, meta.onlyIfInForce)))
        return { stale: false, duplicate: false, conflict: true };
      if (current && sameMovement(current, m)) return { stale: false, duplicate: true };
      const laterProblems = laterMovementProblems(m, !!current);
      if (laterProblems.length) throw new InvalidMovementError(laterProblems);
      const stale = !!current && isOlderThan(m.consentDate, msOf(current.consent_date));
      const movementId = await this.repo.insertMovement(tx, key, {
        status: m.status,
        source: m.source,
        consentDate: m.consentDate,
        origin: meta.origin,
        recordedBy: meta.recordedBy,
        evidence: m.evidence,
        stale,
      });
      const { state, reason } = await this.outboxState(tx, brand, key, m, current, stale);
      const outboxId = await this.repo.insertOutbox(tx, key, {
        movementId,
        iysCode: brand.iysCode,
        brandCode: brand.brandCode,
        status: m.status,
        source: m.source,
        consentDate: m.consentDate,
        state,
        reason,
        deadline: m.registrationDeadline,
      });
      if (!stale) {
        await this.repo.upsertCurrent(tx, key, {
          status: m.status,
          source: m.source,
          consentDate: m.consentDate,
          movementId,
          // A RET that needs no sending (first RET, already RET) still blocks; its İYS state says it stays local.
          iysState: state,
          registrationDeadline: m.registrationDeadline,
        });
        await meta.alongside?.(tx, {
          movementId: String(movementId),
          replaced: current ? { movementId: String(current.movement_id), status: current.status } : undefined,
        });
      }
      return {
        stale,
        duplicate: false,
        committed: { brandId: brand.id, movementIds: [movementId], outbox: [{ id: outboxId, state }] },
      };
    });
    this.log.debug({ brandId: brand.id, origin: meta.origin, stale: outcome.stale }, 'movement recorded');
    if ('committed' in outcome && outcome.committed) await this.notify(outcome.committed);
    const consent = await this.get(brand, m.type, m.recipient, m.recipientType);
    return { stale: outcome.stale, duplicate: outcome.duplicate, conflict: 'conflict' in outcome, consent: consent! };
  }

  /**
   * Applies movements that came from İYS (pull, push, a status read): de-duplicated by transactionId (Izinli's own
   * accepted movements included), latest-wins on the current state, which they enter as ACCEPTED. Inside the
   * caller's transaction when one is given (the caller then tells the listener after its commit).
   */
  async applyIysMovements(
    brand: Pick<ConsentBrand, 'id'>,
    movements: readonly IysMovement[],
    origin: IysOrigin,
    executor?: EntityManager,
  ): Promise<AppliedIysMovements> {
    if (executor) return applyIysMovements(executor, brand, movements, origin, this.clock.now());
    const applied = await this.ds.transaction((tx) =>
      applyIysMovements(tx, brand, movements, origin, this.clock.now()),
    );
    if (applied.movementIds.length)
      await this.notify({ brandId: brand.id, movementIds: applied.movementIds, outbox: [] });
    return applied;
  }

  /** Tells the listener after a commit; a lost notification is only a delay (the host's sweeper finds the rows). */
  async notify(event: CommittedMovements): Promise<void> {
    if (!this.listener) return;
    try {
      await this.listener.movementsCommitted(event);
    } catch (err) {
      this.log.warn(
        { brandId: event.brandId, err: (err as Error).message },
        'outbox listener failed; the sweep will pick the rows up',
      );
    }
  }

  /** Current state, the full history with evidence, and the İYS sync state; undefined when the key is unknown. */
  async get(
    brand: Pick<ConsentBrand, 'id' | 'brandCode'>,
    type: IysType,
    recipientInput: string,
    recipientType: RecipientType = 'BIREYSEL',
  ): Promise<ConsentView | undefined> {
    const r = normalizeRecipient(type, recipientInput);
    if (!r.ok) return undefined;
    const key: ConsentKey = { brandId: brand.id, type, recipient: r.value, recipientType };
    const current = await this.repo.current(this.ds, key);
    if (!current) return undefined;
    const history = await this.repo.history(this.ds, key);
    const latest = history.find((h) => String(h.id) === String(current.movement_id));
    return {
      brandCode: brand.brandCode,
      recipient: key.recipient,
      type,
      recipientType,
      status: current.status,
      consentDate: current.consent_date === null ? null : iso(current.consent_date),
      source: current.source,
      iys: {
        ...compact({
          state: current.iys_state,
          transactionId: current.iys_transaction_id ?? undefined,
          creationDate: current.iys_creation_date ? iso(current.iys_creation_date) : undefined,
          errorCode: current.iys_error_code ?? undefined,
          reason: latest?.outbox_reason ?? undefined,
          deadline:
            current.iys_state === 'PENDING' && current.registration_deadline
              ? iso(current.registration_deadline)
              : undefined,
        }),
      } as IysView,
      history: history.map(toMovementView),
    };
  }

  /**
   * What the sync engine should do with a movement, decided before anything is sent (compliance.md §3), by the
   * same rule as imports (`decideOutbox`). Whether İYS knows the key is read only for a RET, the one case it decides.
   */
  private async outboxState(
    tx: Parameters<RegistryRepository['current']>[0],
    brand: ConsentBrand,
    key: ConsentKey,
    m: ValidMovement,
    current: ConsentRow | undefined,
    stale: boolean,
  ): Promise<OutboxDecision> {
    const asks = m.status === 'RET' && !stale && brand.iysSync === 'PLATFORM' && current?.status !== 'RET';
    return decideOutbox({
      iysSync: brand.iysSync,
      stale,
      status: m.status,
      currentStatus: current?.status,
      iysKnowsKey: asks ? await this.repo.iysKnowsKey(tx, key) : false,
    });
  }
}

/**
 * The row holds the movement that `m` names: the same status, source and consent date. For a movement being recorded,
 * that makes it a repeat; for one a caller read earlier (`onlyIfInForce`), it is still in force (a movement that
 * wins changes one of these three).
 */
function sameMovement(
  current: ConsentRow,
  m: Pick<ValidMovement, 'status' | 'source'> & { consentDate: Date | string | null },
): boolean {
  return (
    current.status === m.status && current.source === m.source && msOf(current.consent_date) === msOf(m.consentDate)
  );
}

/** An instant as epoch milliseconds; null stays null (an undated merchant record). */
function msOf(d: Date | string | null): number | null {
  return d === null ? null : new Date(d).getTime();
}

/** What a caller read as in force still is: the same movement, and the very same row when its id was read. */
function stillInForce(current: ConsentRow, inForce: InForce): boolean {
  return (
    sameMovement(current, inForce) &&
    (inForce.movementId === undefined || String(current.movement_id) === inForce.movementId)
  );
}

function iso(d: Date | string): string {
  return new Date(d).toISOString();
}

function compact<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<T>;
}

function toMovementView(h: HistoryRow): MovementView {
  const fromIys = h.origin === 'IYS_PULL' || h.origin === 'IYS_PUSH';
  const iys: IysView = fromIys
    ? { state: 'ACCEPTED', transactionId: h.iys_transaction_id ?? undefined }
    : (compact({
        state: h.outbox_state ?? 'PENDING',
        transactionId: h.outbox_transaction_id ?? undefined,
        creationDate: h.outbox_creation_date ? iso(h.outbox_creation_date) : undefined,
        errorCode: h.outbox_error_code ?? undefined,
        reason: h.outbox_reason ?? undefined,
        deadline: h.outbox_state === 'PENDING' && h.outbox_deadline ? iso(h.outbox_deadline) : undefined,
      }) as IysView);
  return {
    status: h.status,
    consentDate: h.consent_date === null ? null : iso(h.consent_date),
    source: h.source,
    recordedAt: iso(h.recorded_at),
    origin: h.origin,
    recordedBy: h.recorded_by,
    stale: h.stale,
    ...(h.evidence ? { evidence: h.evidence } : {}),
    iys,
  };
}
