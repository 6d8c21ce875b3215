import { MailSendError } from '@izinli/mailer';

/**
 * What one send attempt means for its ledger row:
 * - SENT: the server took the message.
 * - REJECTED: a permanent (5xx) refusal; `hardBounce` when it says the mailbox does not exist, which puts the
 *   address on the platform suppression list.
 * - DEFERRED: a temporary (4xx) refusal of this recipient; retried later with backoff, up to a limit.
 * - UNAVAILABLE: no answer about the recipient at all (connection refused, timeout): the infrastructure failed,
 *   not the recipient, so the row is released without counting an attempt and the job is retried.
 */
export type SmtpOutcome =
  | { kind: 'SENT' }
  | { kind: 'REJECTED'; hardBounce: boolean; code: number | null; message: string }
  | { kind: 'DEFERRED'; code: number; message: string }
  | { kind: 'UNAVAILABLE'; message: string };

const MAX_ERROR_CHARS = 500;

function clip(message: string): string {
  return message
    .replace(/[\r\n]+/g, ' ')
    .trim()
    .slice(0, MAX_ERROR_CHARS);
}

/**
 * A hard bounce is a permanent refusal that is about the address, not the message: enhanced status 5.1.x (bad
 * mailbox or domain) or 5.2.1 (mailbox disabled), or, with no enhanced status, the basic codes 550, 551 and 553.
 * Policy refusals (5.7.x: spam, authentication) are failures of this message but say nothing of the address.
 */
export function isHardBounce(code: number | null, message: string): boolean {
  const enhanced = /\b5\.(\d{1,3})\.(\d{1,3})\b/.exec(message);
  if (enhanced) return enhanced[1] === '1' || (enhanced[1] === '2' && enhanced[2] === '1');
  return code === 550 || code === 551 || code === 553;
}

export function classifySendError(err: unknown): SmtpOutcome {
  if (err instanceof MailSendError) {
    const code = err.responseCode ?? null;
    if (err.permanent)
      return { kind: 'REJECTED', hardBounce: isHardBounce(code, err.message), code, message: clip(err.message) };
    if (code !== null && code >= 400 && code < 500) return { kind: 'DEFERRED', code, message: clip(err.message) };
    return { kind: 'UNAVAILABLE', message: clip(err.message) };
  }
  return { kind: 'UNAVAILABLE', message: clip(err instanceof Error ? err.message : String(err)) };
}
