import { AddressResult, addressProblem } from './address-result';

/** İYS's length bounds for an e-mail recipient, inclusive (iys-api.md §5.1, §7 rule 2). */
export const EMAIL_MIN_LENGTH = 6;
export const EMAIL_MAX_LENGTH = 265;

const TURKISH_LETTERS = /[çğıöşüÇĞİÖŞÜ]/;
// İYS allows only '+', '-', '_' and '.' besides letters and digits in the local part, in any position and
// repeated (iys-api.md §7 rule 2). It is laxer than RFC 5321 about dots; we follow İYS, whose rule decides
// whether the registration succeeds.
const LOCAL_PART = /^[a-z0-9+\-_.]+$/;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TOP_LEVEL_DOMAIN = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// Invisible characters that copy-paste from documents and spreadsheets leaves behind.
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;

/**
 * Normalises an e-mail address the way İYS stores it (trimmed and lower-cased) and refuses anything İYS
 * would answer with H120, so that a consent is never sent for an address İYS will reject (compliance.md §5).
 */
export function normalizeEmail(input: string): AddressResult {
  if (typeof input !== 'string') {
    return addressProblem('INVALID_EMAIL', 'NOT_TEXT', 'The e-mail address must be text.');
  }
  const trimmed = input.normalize('NFC').replace(INVISIBLE, '').trim();
  if (trimmed === '') {
    return addressProblem('INVALID_EMAIL', 'EMPTY', 'The e-mail address is empty.');
  }
  if (/\s/.test(trimmed)) {
    return addressProblem('INVALID_EMAIL', 'CONTAINS_SPACE', 'The e-mail address contains a space.');
  }
  const turkish = TURKISH_LETTERS.exec(trimmed);
  if (turkish) {
    return addressProblem(
      'INVALID_EMAIL',
      'TURKISH_LETTER',
      `The e-mail address contains the Turkish letter '${turkish[0]}'; İYS accepts only the letters a to z.`,
    );
  }
  const value = trimmed.toLowerCase();
  const atSigns = value.split('@').length - 1;
  if (atSigns === 0) {
    return addressProblem('INVALID_EMAIL', 'MISSING_AT_SIGN', "The e-mail address has no '@' sign.");
  }
  if (atSigns > 1) {
    return addressProblem('INVALID_EMAIL', 'TOO_MANY_AT_SIGNS', "The e-mail address has more than one '@' sign.");
  }
  const [local, domain] = value.split('@') as [string, string];
  if (local === '') {
    return addressProblem('INVALID_EMAIL', 'EMPTY_LOCAL_PART', "The e-mail address has nothing before the '@' sign.");
  }
  const badLocal = /[^a-z0-9+\-_.]/.exec(local);
  if (badLocal || !LOCAL_PART.test(local)) {
    return addressProblem(
      'INVALID_EMAIL',
      'FORBIDDEN_CHARACTER',
      `The part before '@' contains '${badLocal?.[0] ?? '?'}'; only letters a to z, digits and + - _ . are allowed there.`,
    );
  }
  const domainProblem = describeDomainProblem(domain);
  if (domainProblem) {
    return addressProblem('INVALID_EMAIL', 'INVALID_DOMAIN', domainProblem);
  }
  if (value.length < EMAIL_MIN_LENGTH) {
    return addressProblem(
      'INVALID_EMAIL',
      'TOO_SHORT',
      `The e-mail address is ${value.length} characters long; İYS needs at least ${EMAIL_MIN_LENGTH}.`,
    );
  }
  if (value.length > EMAIL_MAX_LENGTH) {
    return addressProblem(
      'INVALID_EMAIL',
      'TOO_LONG',
      `The e-mail address is ${value.length} characters long; İYS accepts at most ${EMAIL_MAX_LENGTH}.`,
    );
  }
  return { ok: true, value };
}

function describeDomainProblem(domain: string): string | null {
  if (domain === '') {
    return "The e-mail address has no domain after the '@' sign.";
  }
  const badCharacter = /[^a-z0-9.-]/.exec(domain);
  if (badCharacter) {
    return `The domain contains '${badCharacter[0]}'; only letters a to z, digits, '-' and '.' are allowed there.`;
  }
  const labels = domain.split('.');
  if (labels.length < 2) {
    return `The domain '${domain}' has no dot; it needs a name and an ending, as in 'example.com'.`;
  }
  if (labels.some((label) => label === '')) {
    return `The domain '${domain}' has an empty part (two dots in a row, or a dot at the start or end).`;
  }
  const badLabel = labels.find((label) => !DOMAIN_LABEL.test(label));
  if (badLabel !== undefined) {
    return `The domain part '${badLabel}' is not valid: parts are at most 63 characters and cannot start or end with '-'.`;
  }
  const tld = labels[labels.length - 1]!;
  if (!TOP_LEVEL_DOMAIN.test(tld)) {
    return `The domain ending '.${tld}' is not valid: it must be at least two letters.`;
  }
  return null;
}
