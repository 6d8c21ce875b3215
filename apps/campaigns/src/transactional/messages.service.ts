import { HttpStatus, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { Clock, normalizeEmail } from '@izinli/consent';
import { ApiError, FieldError } from '../common/http/api-error';
import { ClassificationThreads } from '../consents/classification-threads';
import { problem, ProblemBody } from '../common/http/problem-details.filter';
import { TemplateRenderError } from '../templates/template-engine';
import { templateInvalid, templateRenderFailed } from '../templates/templates.service';
import { TemplatesRepository } from '../templates/templates.repository';
import { BrandRow } from '../tenancy/tenancy.repository';
import { TenancyService } from '../tenancy/tenancy.service';
import { inlineSource, MessageContent, TemplateInvalidError, yieldIfLarge } from './message-content';
import { IDEMPOTENCY_KEY, requestHash, transactionalMessageId } from './message-rules';
import { MessageDispatcher } from './message-dispatcher';
import { MessageMetrics } from './message-metrics';
import { MessageSettings } from './message-settings';
import { MessageAcceptedDto, MessageDto, SendMessageDto } from './messages.dto';
import { MessagesRepository, NewMessage } from './messages.repository';

/** An answer of POST /v1/messages: the 202 body, or a problem (422) to throw; `replayed` for an Idempotency-Key hit. */
export type SendAnswer = { status: number; body: Record<string, unknown>; replayed: boolean };

/** Stable codes of this API's own refusals (besides VALIDATION_FAILED, NOT_FOUND, TEMPLATE_INVALID …). */
export const MESSAGE_ERROR_CODES = {
  CONSENT_REQUIRED: 'CONSENT_REQUIRED',
  SUPPRESSED: 'SUPPRESSED',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  UNKNOWN_REFERENCE: 'UNKNOWN_REFERENCE',
  TEMPLATE_RENDER_FAILED: 'TEMPLATE_RENDER_FAILED',
} as const;

/** Turns a stored (or fresh) 422 body back into the error the problem filter renders identically. */
export function problemToError(body: Record<string, unknown>): ApiError {
  const { type: _t, title: _ti, status, detail, code, errors, ...extra } = body as ProblemBody;
  return new ApiError(status, code, detail, errors ?? [], extra);
}

@Injectable()
export class MessagesService {
  private readonly log = new Logger('Messages');
  private readonly brands = new Map<string, { at: number; brand: BrandRow }>();

  constructor(
    private readonly repo: MessagesRepository,
    private readonly tenancy: TenancyService,
    private readonly templates: TemplatesRepository,
    private readonly content: MessageContent,
    private readonly clock: Clock,
    private readonly dispatcher: MessageDispatcher,
    private readonly metrics: MessageMetrics,
    private readonly settings: MessageSettings,
    private readonly classifier: ClassificationThreads,
  ) {}

  /**
   * Accepts a message: classify it (the declared purpose, escalated by promotional content), gate it (consent for
   * commercial mail; the suppression list for every kind), then write the row, its first event and the
   * idempotency key in one statement, and only then queue its job (without waiting for Redis: the row is what
   * counts). A blocked message is recorded too.
   */
  async send(spId: string, dto: SendMessageDto, idempotencyKey: string | undefined): Promise<SendAnswer> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw ApiError.validation([
        {
          field: 'Idempotency-Key',
          message: 'Idempotency-Key must be 1 to 255 printable ASCII characters without spaces',
        },
      ]);
    }
    const hash = idempotencyKey !== undefined ? requestHash(dto) : '';
    const problems: FieldError[] = [];
    const inline = dto.subject !== undefined || dto.html !== undefined || dto.text !== undefined;
    if (dto.templateId && inline)
      problems.push({
        field: 'templateId',
        message: 'give either templateId or inline subject and html/text, not both',
      });
    if (!dto.templateId) {
      if (dto.subject === undefined)
        problems.push({ field: 'subject', message: 'subject is required without templateId' });
      if (dto.html === undefined && dto.text === undefined)
        problems.push({ field: 'html', message: 'html or text is required without templateId' });
    }
    const to = normalizeEmail(dto.to);
    if (!to.ok) problems.push({ field: 'to', message: to.message, code: to.code });
    if (problems.length || !to.ok) throw ApiError.validation(problems);

    const brand = await this.brandOf(spId, dto.brandCode);
    const recipientType = dto.recipientType ?? 'BIREYSEL';
    const data = dto.data ?? {};

    let compiled;
    let templateId: string | null = null;
    if (dto.templateId) {
      const t = await this.templates.findOwned(spId, dto.templateId);
      if (!t || t.brandId !== brand.id) {
        throw ApiError.unprocessable(
          MESSAGE_ERROR_CODES.UNKNOWN_REFERENCE,
          'The message names a template this brand does not have.',
          [{ field: 'templateId', message: `no template with this id in brand ${brand.brandCode}` }],
        );
      }
      templateId = t.id;
      compiled = this.compile(t, t.id);
    } else {
      compiled = this.compile(inlineSource({ subject: dto.subject!, html: dto.html, text: dto.text }).source, null);
    }
    await yieldIfLarge((dto.html?.length ?? 0) + (dto.text?.length ?? 0));
    let rendered;
    try {
      rendered = compiled.render({ data, email: to.value, brandName: brand.name, unsubscribeUrl: null });
    } catch (err) {
      if (err instanceof TemplateRenderError) throw templateRenderFailed(err);
      throw err;
    }
    await yieldIfLarge(rendered.html.length + rendered.text.length);
    // The content as the recipient would read it: promotional data in a transactional template makes it commercial.
    const decision = await this.classifier.classify({
      channel: 'EMAIL',
      purpose: dto.purpose,
      subject: rendered.subject,
      html: rendered.html,
      text: rendered.text,
    });
    const kind = decision.kind;
    const id = randomUUID();
    const accepted: MessageAcceptedDto = { id, status: 'QUEUED', kind, reasons: decision.reasons };
    const blocked = this.blockedBody(id, kind, decision.reasons);
    const row: NewMessage = {
      id,
      serviceProviderId: spId,
      brandId: brand.id,
      templateId,
      recipient: to.value,
      recipientType,
      purpose: dto.purpose,
      kind,
      reasons: decision.reasons,
      subject: templateId ? null : (dto.subject ?? null),
      html: templateId ? null : (dto.html ?? null),
      text: templateId ? null : (dto.text ?? null),
      data,
    };
    // The gate runs inside the insert: one round trip decides, records and (with a key) remembers the answer.
    const outcome = await this.repo.insert(
      row,
      idempotencyKey !== undefined
        ? { key: idempotencyKey, requestHash: hash, accepted: { ...accepted }, blocked }
        : null,
      this.clock.now(),
    );
    if (!outcome.inserted) return this.replay(spId, idempotencyKey!, hash);

    const status = outcome.allowed ? 'QUEUED' : 'BLOCKED';
    this.metrics.counted(kind, status);
    this.log.log(
      { messageId: id, brandId: brand.id, kind, status, reason: outcome.allowed ? undefined : outcome.reason },
      'message accepted',
    );
    if (!outcome.allowed)
      return { status: HttpStatus.UNPROCESSABLE_ENTITY, body: { ...blocked, reason: outcome.reason }, replayed: false };
    // The row is committed: the answer need not wait for Redis (a job lost on the way is offered again by the sweep).
    void this.dispatcher.dispatch(id, 0, 0);
    return { status: HttpStatus.ACCEPTED, body: { ...accepted }, replayed: false };
  }

  async get(spId: string, id: string): Promise<MessageDto> {
    const m = await this.repo.findOwned(spId, id);
    if (!m) throw ApiError.notFound('Message');
    return {
      id: m.id,
      status: m.status,
      kind: m.kind,
      reasons: m.reasons,
      brandCode: m.brandCode,
      to: m.recipient,
      recipientType: m.recipientType,
      purpose: m.purpose as MessageDto['purpose'],
      messageId: transactionalMessageId(m.id, m.fromEmail).slice(1, -1),
      createdAt: new Date(m.createdAt).toISOString(),
      // A `taken_over` event: a worker took the message over from one whose claim ran out (see MessageDto).
      possibleDuplicate: m.events.some((e) => e.type === 'taken_over'),
      events: m.events.map((e) => ({ type: e.type, at: new Date(e.at).toISOString(), detail: e.detail })),
    };
  }

  /**
   * The 422 body of a refused message, without the gate's `reason` (added by whoever learns it: the insert
   * statement for the stored copy, `send` for the live answer). Commercial mail is refused for want of consent
   * (CONSENT_REQUIRED with the gate's reason, which may be SUPPRESSED); transactional mail needs no consent and is
   * refused only for a suppressed address (SUPPRESSED).
   */
  private blockedBody(id: string, kind: string, reasons: string[]): Record<string, unknown> {
    const code = kind === 'COMMERCIAL' ? MESSAGE_ERROR_CODES.CONSENT_REQUIRED : MESSAGE_ERROR_CODES.SUPPRESSED;
    const detail =
      code === MESSAGE_ERROR_CODES.CONSENT_REQUIRED
        ? `The message is commercial and the recipient may not receive it from this brand (see reason). The attempt was recorded as message ${id}.`
        : `The recipient's address is on the suppression list; no mail is sent to it. The attempt was recorded as message ${id}.`;
    return { ...problem(HttpStatus.UNPROCESSABLE_ENTITY, code, detail), id, kind, reasons };
  }

  private async replay(spId: string, key: string, hash: string): Promise<SendAnswer> {
    const stored = await this.repo.storedAnswer(spId, key);
    if (!stored) throw new Error('idempotency key conflicted but no stored answer was found');
    if (stored.requestHash !== hash) {
      throw ApiError.conflict(
        MESSAGE_ERROR_CODES.IDEMPOTENCY_KEY_REUSED,
        'This Idempotency-Key was already used with a different request body.',
      );
    }
    return { status: stored.statusCode, body: stored.response, replayed: true };
  }

  private compile(source: Parameters<MessageContent['compile']>[0], templateId: string | null) {
    try {
      return this.content.compile(source, templateId);
    } catch (err) {
      if (err instanceof TemplateInvalidError) throw templateInvalid(err.problems);
      throw err;
    }
  }

  /** The brand, answered for another tenant exactly like a missing one; reused briefly on this hot path. */
  private async brandOf(spId: string, brandCode: string): Promise<BrandRow> {
    const key = `${spId}:${brandCode}`;
    const hit = this.brands.get(key);
    if (hit && Date.now() - hit.at < this.settings.brandCacheMs) return hit.brand;
    const brand = await this.tenancy.requireOwnedBrand(spId, brandCode);
    if (this.brands.size >= 1000) this.brands.clear();
    this.brands.set(key, { at: Date.now(), brand });
    return brand;
  }
}
