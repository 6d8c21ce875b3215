/**
 * The answer of every address normaliser: the normalised value, or a stable upper-case `code` with a sentence
 * that names what is wrong. `code` is coarse and maps onto İYS's own errors (INVALID_EMAIL ↔ H120,
 * INVALID_PHONE ↔ H121, RECIPIENT_TYPE_MISMATCH ↔ H464); `reason` says which rule failed. Both are stable:
 * clients and stored import errors depend on them.
 */
export type AddressResult<TValue extends string = string, TExtra = object> =
  ({ ok: true; value: TValue } & TExtra) | AddressProblem;

export interface AddressProblem {
  ok: false;
  code: AddressErrorCode;
  reason: AddressProblemReason;
  message: string;
}

export const ADDRESS_ERROR_CODES = ['INVALID_EMAIL', 'INVALID_PHONE', 'RECIPIENT_TYPE_MISMATCH'] as const;
export type AddressErrorCode = (typeof ADDRESS_ERROR_CODES)[number];

export const ADDRESS_PROBLEM_REASONS = [
  'EMPTY',
  'NOT_TEXT',
  'TOO_SHORT',
  'TOO_LONG',
  'CONTAINS_SPACE',
  'TURKISH_LETTER',
  'FORBIDDEN_CHARACTER',
  'MISSING_AT_SIGN',
  'TOO_MANY_AT_SIGNS',
  'EMPTY_LOCAL_PART',
  'INVALID_DOMAIN',
  'MISSING_COUNTRY_CODE',
  'TRUNK_ZERO_AFTER_COUNTRY_CODE',
  'WRONG_LENGTH',
  'INVALID_NUMBER',
  'LOOKS_LIKE_PHONE',
  'LOOKS_LIKE_EMAIL',
] as const;
export type AddressProblemReason = (typeof ADDRESS_PROBLEM_REASONS)[number];

export function addressProblem(code: AddressErrorCode, reason: AddressProblemReason, message: string): AddressProblem {
  return { ok: false, code, reason, message };
}
