import type { ConsentType } from '../core/iys-types';

// Recipient formats (iys-api.md §7 rules 1–3).
//
// Phones: E.164 with a leading '+', at most 15 characters. İYS also checks Turkey's numbering plan, yet it
// documents that a mis-typed '+9005…' is stored as a different number, so the simulator deliberately checks only
// the E.164 shape and never "corrects" a number: comparing phone strings exactly is what İYS does.
//
// E-mail: ASCII letters, digits, '.', '-', '_' in the local part (any position), one optional '+label', a dotted
// domain ending in an alphabetic TLD of two or more letters; 6–265 characters; no spaces, no Turkish letters.
const PHONE_PATTERN = /^\+[1-9]\d{5,13}$/;
const EMAIL_PATTERN =
  /^[A-Za-z0-9._-]+(\+[A-Za-z0-9._-]+)?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

export const PHONE_MAX_LENGTH = 15;
export const EMAIL_MIN_LENGTH = 6;
export const EMAIL_MAX_LENGTH = 265;

export function isPhoneType(type: ConsentType): boolean {
  return type !== 'EPOSTA';
}

export function isValidPhone(value: string): boolean {
  return value.length <= PHONE_MAX_LENGTH && PHONE_PATTERN.test(value);
}

export function isValidEmail(value: string): boolean {
  return value.length >= EMAIL_MIN_LENGTH && value.length <= EMAIL_MAX_LENGTH && EMAIL_PATTERN.test(value);
}

/** E-mails are stored and compared lower-cased (rule 2); phones exactly as sent. */
export function normaliseRecipient(type: ConsentType, recipient: string): string {
  return type === 'EPOSTA' ? recipient.toLowerCase() : recipient;
}

/**
 * The error code for a recipient that does not fit its type, or null when it fits. `tooLongCode` differs by
 * endpoint: the adds report an over-long phone as H160, the status queries as H166.
 */
export function recipientProblem(
  type: ConsentType,
  recipient: string,
  tooLongCode: 'H160' | 'H166' = 'H160',
): string | null {
  if (isPhoneType(type)) {
    if (recipient.length > PHONE_MAX_LENGTH && recipient.startsWith('+')) return tooLongCode;
    return isValidPhone(recipient) ? null : 'H121';
  }
  return isValidEmail(recipient) ? null : 'H120';
}
