import type { IysType } from '../domain';
import { AddressResult, addressProblem } from './address-result';
import { normalizeEmail } from './email-address';
import { normalizePhone } from './phone-number';

/**
 * Normalises a recipient for an İYS type: an e-mail address for EPOSTA, a phone number for MESAJ and ARAMA.
 * An address of the other kind is reported as RECIPIENT_TYPE_MISMATCH (İYS's H464) rather than as a
 * malformed address, so the person fixing the data sees the real mistake.
 */
export function normalizeRecipient(type: IysType, input: string): AddressResult {
  switch (type) {
    case 'EPOSTA':
      if (typeof input === 'string' && !input.includes('@') && looksLikePhone(input)) {
        return addressProblem(
          'RECIPIENT_TYPE_MISMATCH',
          'LOOKS_LIKE_PHONE',
          'This looks like a phone number, but type EPOSTA needs an e-mail address.',
        );
      }
      return normalizeEmail(input);
    case 'MESAJ':
    case 'ARAMA':
      if (typeof input === 'string' && input.includes('@')) {
        return addressProblem(
          'RECIPIENT_TYPE_MISMATCH',
          'LOOKS_LIKE_EMAIL',
          `This looks like an e-mail address, but type ${type} needs a phone number.`,
        );
      }
      return normalizePhone(input);
  }
}

function looksLikePhone(input: string): boolean {
  return /^[\s+()\-.\d]+$/.test(input) && /\d{6,}/.test(input.replace(/\D/g, ''));
}
