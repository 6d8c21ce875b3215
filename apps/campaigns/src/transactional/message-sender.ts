import { Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'crypto';
import { Clock, SuppressionList } from '@izinli/consent';
import { MailTransport } from '@izinli/mailer';
import { DeliveryUnavailableError } from '../delivery/chunk-sender';
import { retryThroughOutage } from '@izinli/database';
import { classifySendError } from '../delivery/smtp-outcome';
import { UnsubscribeTokens } from '../unsubscribe/unsubscribe-token';
import { inlineSource, MessageContent, yieldIfLarge } from './message-content';
import { MessageDispatcher } from './message-dispatcher';
import { MessageMetrics } from './message-metrics';
import { messageHeaders, retryDelayMs, transactionalMessageId } from './message-rules';
import { MessageSettings } from './message-settings';
import { ClaimedMessage, MessagesRepository } from './messages.repository';

/** A message handed to SMTP, waiting to be recorded SENT with the rest of its job's. */
interface HandedOff {
  m: ClaimedMessage;
  /** Its Message-ID without the angle brackets, as its `sent` event names it. */
  messageId: string;
}

/**
 * Sends the messages of one job: claim them (so no two workers send one), gate each again (an unsubscribe or a
 * bounce after accept stops it), render, hand each to SMTP, and record the outcomes with their events. Those handed
 * off are recorded SENT together in one statement; a 4xx waits and is tried again with backoff in a job of its
 * own; a 5xx fails the message, and a hard bounce puts the address on the platform suppression list.
 */
@Injectable()
export class MessageSender {
  private readonly log = new Logger('MessageSender');

  constructor(
    private readonly repo: MessagesRepository,
    private readonly clock: Clock,
    private readonly content: MessageContent,
    private readonly transport: MailTransport,
    private readonly tokens: UnsubscribeTokens,
    private readonly suppressions: SuppressionList,
    private readonly dispatcher: MessageDispatcher,
    private readonly metrics: MessageMetrics,
    private readonly settings: MessageSettings,
  ) {}

  /**
   * Messages already sent, failed or blocked, not yet due, or in a live worker's hands are skipped. A message that
   * could not be handed off for want of SMTP is given back and its error thrown after the others are recorded, so
   * the job's retry takes it (and only it) again.
   */
  async send(messageIds: string[]): Promise<void> {
    const token = randomUUID();
    const claimed = await this.repo.claim(messageIds, token, this.settings.claimLeaseMs, this.clock.now());
    if (claimed.length === 0) return;
    const handedOff: HandedOff[] = [];
    const results = await Promise.allSettled(claimed.map((m) => this.deliver(m, token, handedOff)));
    if (handedOff.length > 0) {
      const recorded = await retryThroughOutage(
        () =>
          this.repo.settleSent(
            token,
            handedOff.map((h) => ({ id: h.m.id, messageId: h.messageId })),
          ),
        this.settings.recordRetryMs,
      );
      const at = new Map(recorded.map((r) => [r.id, r.at]));
      for (const { m } of handedOff) {
        this.metrics.counted(m.kind, 'SENT');
        const sentAt = at.get(m.id);
        if (sentAt) this.metrics.handedOff(m.kind, (sentAt.getTime() - new Date(m.createdAt).getTime()) / 1000);
      }
    }
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** One claimed message up to its handoff (pushed on `handedOff`) or another outcome, recorded here. */
  private async deliver(m: ClaimedMessage, token: string, handedOff: HandedOff[]): Promise<void> {
    let handed = false;
    try {
      if (!m.allowed) {
        await this.repo.settle(
          m.id,
          token,
          { status: 'BLOCKED', reason: m.reason, movementId: m.movementId },
          { type: 'blocked', detail: { reason: m.reason, stage: 'SEND' } },
        );
        this.metrics.counted(m.kind, 'BLOCKED');
        this.log.log({ messageId: m.id, reason: m.reason }, 'message blocked at send');
        return;
      }
      const headerId = transactionalMessageId(m.id, m.fromEmail);
      const bareId = headerId.slice(1, -1);
      const unsubscribeUrl =
        m.kind === 'COMMERCIAL'
          ? `${this.settings.publicUrl}/u/${this.tokens.sign({ brandId: m.brandId, recipient: m.recipient, recipientType: m.recipientType, messageId: bareId })}`
          : null;
      let rendered;
      let hasHtml = true;
      try {
        let compiled;
        if (m.templateId) {
          compiled = this.content.compile(
            {
              subject: m.templateSubject!,
              html: m.templateHtml!,
              text: m.templateText,
              layout: m.templateLayout ?? 'none',
            },
            m.templateId,
          );
        } else {
          const inline = inlineSource({ subject: m.subject!, html: m.html, text: m.text });
          hasHtml = inline.hasHtml;
          compiled = this.content.compile(inline.source, null);
        }
        rendered = compiled.render({ data: m.data, email: m.recipient, brandName: m.brandName, unsubscribeUrl });
      } catch (err) {
        await this.fail(m, token, 'RENDER_FAILED', null, (err as Error).message);
        return;
      }
      await yieldIfLarge(rendered.html.length + rendered.text.length);
      handed = true;
      try {
        await this.transport.send({
          from: { name: m.fromName, address: m.fromEmail },
          to: m.recipient,
          replyTo: m.replyTo ?? undefined,
          subject: rendered.subject,
          html: hasHtml ? rendered.html : undefined,
          text: rendered.text,
          messageId: headerId,
          headers: messageHeaders({ kind: m.kind, brandCode: m.brandCode, senderId: m.senderId, unsubscribeUrl }),
        });
      } catch (err) {
        const outcome = classifySendError(err);
        switch (outcome.kind) {
          case 'SENT':
            break;
          case 'REJECTED':
            await this.fail(
              m,
              token,
              outcome.hardBounce ? 'HARD_BOUNCE' : 'SMTP_REJECTED',
              outcome.code,
              outcome.message,
            );
            if (outcome.hardBounce) await this.suppressHardBounce(m, outcome.code);
            return;
          case 'DEFERRED':
            await this.defer(m, token, outcome.code, outcome.message);
            return;
          case 'UNAVAILABLE':
            handed = false;
            await this.repo.release(m.id, token);
            throw new DeliveryUnavailableError(outcome.message);
        }
      }
      handedOff.push({ m, messageId: bareId });
    } catch (err) {
      // Before the handoff nothing left the building: give the message back so the job's retry can take it at once.
      if (!handed && !(err instanceof DeliveryUnavailableError))
        await this.repo.release(m.id, token).catch(() => undefined);
      throw err;
    }
  }

  private async fail(
    m: ClaimedMessage,
    token: string,
    failure: string,
    smtpCode: number | null,
    error: string,
  ): Promise<void> {
    await retryThroughOutage(
      () =>
        this.repo.settle(
          m.id,
          token,
          { status: 'FAILED', failure, smtpCode },
          { type: 'failed', detail: { failure, smtpCode, error: error.slice(0, 500) } },
        ),
      this.settings.recordRetryMs,
    );
    this.metrics.counted(m.kind, 'FAILED');
    this.log.log({ messageId: m.id, failure, smtpCode }, 'message failed');
  }

  private async defer(m: ClaimedMessage, token: string, smtpCode: number, error: string): Promise<void> {
    const attempts = m.attempts + 1;
    if (attempts >= this.settings.maxAttempts) {
      await this.fail(m, token, 'TEMPORARY_FAILURE_LIMIT', smtpCode, error);
      return;
    }
    const delayMs = retryDelayMs(this.settings.retryBaseMs, attempts);
    await retryThroughOutage(
      () =>
        this.repo.settle(
          m.id,
          token,
          { status: 'RETRY', delayMs, smtpCode },
          {
            type: 'retry',
            detail: {
              attempt: attempts,
              smtpCode,
              error: error.slice(0, 500),
              nextAttemptAt: new Date(Date.now() + delayMs).toISOString(),
            },
          },
        ),
      this.settings.recordRetryMs,
    );
    this.metrics.counted(m.kind, 'RETRY');
    await this.dispatcher.dispatch(m.id, attempts, m.dispatch, delayMs);
  }

  /** Izinli's own SMTP saw the mailbox does not exist: no tenant may mail it again (design.md "Suppression"). */
  private async suppressHardBounce(m: ClaimedMessage, smtpCode: number | null): Promise<void> {
    await retryThroughOutage(
      () =>
        this.suppressions.add(
          m.recipient,
          null,
          'HARD_BOUNCE',
          'SMTP',
          `hard bounce ${smtpCode ?? ''} of message ${m.id}`.replace('  ', ' '),
        ),
      this.settings.recordRetryMs,
    ).catch((err: Error) =>
      this.log.warn({ messageId: m.id, err: err.message }, 'could not add a hard bounce to the suppression list'),
    );
  }
}
