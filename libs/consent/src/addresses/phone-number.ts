import { AddressResult, addressProblem } from './address-result';

/** What kind of line a normalised number is. İYS registers all of them; callers may want to warn on some. */
export type PhoneLineType = 'TR_MOBILE' | 'TR_GEOGRAPHIC' | 'TR_NON_GEOGRAPHIC' | 'INTERNATIONAL';

export type PhoneResult = AddressResult<string, { lineType: PhoneLineType }>;

/** İYS refuses a phone recipient longer than 15 characters, the '+' included (H160/H166, iys-api.md §5.1). */
export const PHONE_MAX_LENGTH = 15;

const TURKEY = '90';
// Separators people type between digit groups; they carry no meaning.
const SEPARATORS = /[\s\-.()/\u00a0\u200b-\u200d\u2060\ufeff]/g;

/**
 * Normalises a phone number to E.164, the only form İYS accepts (compliance.md §5, iys-api.md §7 rule 1).
 *
 * - Turkish numbers in their usual local forms (`0532 111 22 33`, `532 111 22 33`, `0090 532…`, `90532…`,
 *   `+90 (532) 111-22-33`) become `+90` followed by the 10-digit national number.
 * - `+90 0532…` (a trunk zero after the country code) is refused: İYS would store it as a different number
 *   that no carrier or citizen app ever finds.
 * - Numbers of other countries are accepted when written internationally (`+44…` or `0044…`): İYS validates
 *   recipients as E.164 with libphonenumber, which is not limited to Turkey. A number without an
 *   international prefix is read as Turkish.
 */
export function normalizePhone(input: string): PhoneResult {
  if (typeof input !== 'string') {
    return addressProblem('INVALID_PHONE', 'NOT_TEXT', 'The phone number must be text.');
  }
  const compact = input.normalize('NFC').trim().replace(SEPARATORS, '');
  if (compact === '') {
    return addressProblem('INVALID_PHONE', 'EMPTY', 'The phone number is empty.');
  }
  if (compact.includes('@')) {
    return addressProblem(
      'INVALID_PHONE',
      'LOOKS_LIKE_EMAIL',
      'This looks like an e-mail address, not a phone number.',
    );
  }
  const forbidden = /[^0-9+]/.exec(compact) ?? /.\+/.exec(compact);
  if (forbidden) {
    return addressProblem(
      'INVALID_PHONE',
      'FORBIDDEN_CHARACTER',
      `The phone number contains '${forbidden[0].slice(-1)}'; only digits, an optional leading '+', spaces, dashes, dots and parentheses are allowed.`,
    );
  }
  const international = compact.startsWith('+') ? compact.slice(1) : compact.startsWith('00') ? compact.slice(2) : null;
  if (international === null) {
    return normalizeTurkish(nationalFromLocal(compact));
  }
  if (international.startsWith(TURKEY)) {
    return normalizeTurkish(international.slice(TURKEY.length), true);
  }
  return normalizeInternational(international);
}

/** Strips the trunk zero or a country code written without '+'/'00' from a Turkish number typed locally. */
function nationalFromLocal(digits: string): string {
  if (digits.startsWith('0')) {
    return digits.slice(1);
  }
  if (digits.length === 12 && digits.startsWith(TURKEY) && /^90[2-58-9]/.test(digits)) {
    return digits.slice(2);
  }
  return digits;
}

function normalizeTurkish(national: string, afterCountryCode = false): PhoneResult {
  if (afterCountryCode && national.startsWith('0')) {
    return addressProblem(
      'INVALID_PHONE',
      'TRUNK_ZERO_AFTER_COUNTRY_CODE',
      'The number has a 0 right after the country code +90 (as in +9005…); drop that 0: Turkish numbers are written +905XXXXXXXXX.',
    );
  }
  if (national.length !== 10) {
    return addressProblem(
      'INVALID_PHONE',
      'WRONG_LENGTH',
      `A Turkish number has 10 digits after +90 (or after the leading 0); this one has ${national.length}.`,
    );
  }
  const lineType = turkishLineType(national);
  if (lineType === null) {
    return addressProblem(
      'INVALID_PHONE',
      'INVALID_NUMBER',
      `Turkish numbers do not start with ${national[0]} after +90; mobiles start with 5, landlines with 2, 3 or 4.`,
    );
  }
  return { ok: true, value: `+${TURKEY}${national}`, lineType };
}

function turkishLineType(national: string): PhoneLineType | null {
  switch (national[0]) {
    case '5':
      return 'TR_MOBILE';
    case '2':
    case '3':
    case '4':
      return 'TR_GEOGRAPHIC';
    case '8':
    case '9':
      // 800 free-phone, 850 and 888 non-geographic, 900 premium-rate.
      return 'TR_NON_GEOGRAPHIC';
    default:
      return null;
  }
}

function normalizeInternational(digits: string): PhoneResult {
  if (digits === '' || digits.startsWith('0')) {
    return addressProblem(
      'INVALID_PHONE',
      'MISSING_COUNTRY_CODE',
      "The number has no country code after '+' or '00'; country codes never start with 0.",
    );
  }
  const value = `+${digits}`;
  // The shortest numbers in service are 7 digits with the country code; İYS's own cap is 15 characters.
  if (digits.length < 7) {
    return addressProblem('INVALID_PHONE', 'WRONG_LENGTH', `The number ${value} is too short to be a phone number.`);
  }
  if (value.length > PHONE_MAX_LENGTH) {
    return addressProblem(
      'INVALID_PHONE',
      'TOO_LONG',
      `The number ${value} is ${value.length} characters long; İYS accepts at most ${PHONE_MAX_LENGTH}, the '+' included.`,
    );
  }
  return { ok: true, value, lineType: 'INTERNATIONAL' };
}
