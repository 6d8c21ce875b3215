import { Readable } from 'stream';
import {
  checkCsvContact,
  checkJsonContact,
  CsvHeaderError,
  CsvSyntaxError,
  readCsvHeader,
  readCsvRecords,
  UploadTooLargeError,
} from './contact-input';

async function records(csv: string | string[], maxBytes = 1_000_000) {
  const out = [];
  for await (const r of readCsvRecords(
    Readable.from((Array.isArray(csv) ? csv : [csv]).map((c) => Buffer.from(c))),
    maxBytes,
  ))
    out.push(r);
  return out;
}

describe('contact input', () => {
  describe(checkJsonContact.name, () => {
    it('normalises the address and defaults the recipient type', () => {
      expect(checkJsonContact({ email: '  Ayse@Example.COM ', data: { firstName: 'Ayşe' } }, 1)).toEqual({
        ok: true,
        contact: { email: 'ayse@example.com', recipientType: 'BIREYSEL', data: { firstName: 'Ayşe' } },
      });
      expect(checkJsonContact({ email: 'esnaf@example.com', recipientType: 'TACIR' }, 1)).toMatchObject({
        ok: true,
        contact: { recipientType: 'TACIR', data: {} },
      });
    });

    it.each([
      ['INVALID_ROW', null],
      ['INVALID_ROW', ['a@example.com']],
      ['MISSING_EMAIL', {}],
      ['INVALID_EMAIL', { email: 42 }],
      ['INVALID_EMAIL', { email: 'ayşe@example.com' }],
      ['INVALID_RECIPIENT_TYPE', { email: 'a@example.com', recipientType: 'KURUMSAL' }],
      ['INVALID_DATA', { email: 'a@example.com', data: 'x' }],
      ['INVALID_DATA', { email: 'a@example.com', data: [1] }],
      ['UNKNOWN_FIELD', { email: 'a@example.com', firstName: 'A' }],
      ['DATA_TOO_LARGE', { email: 'a@example.com', data: { blob: 'x'.repeat(9000) } }],
    ])('rejects with %s (case %#), naming the row', (code, item) => {
      const r = checkJsonContact(item, 7);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatchObject({ row: 7, code });
    });
  });

  describe('CSV', () => {
    it('finds the email and recipientType columns and keeps the rest as data', () => {
      const cols = readCsvHeader([' Email ', 'firstName', 'RecipientType', 'city']);
      expect(cols).toEqual({
        email: 0,
        recipientType: 2,
        data: [
          { index: 1, name: 'firstName' },
          { index: 3, name: 'city' },
        ],
      });
      expect(checkCsvContact(['A@Example.com', 'Ali', 'tacir', 'İzmir'], cols, 4, 1, 2)).toEqual({
        ok: true,
        contact: { email: 'a@example.com', recipientType: 'TACIR', data: { firstName: 'Ali', city: 'İzmir' } },
      });
    });

    it('refuses a header without an email column or with a repeated column', () => {
      expect(() => readCsvHeader(['mail', 'name'])).toThrow(CsvHeaderError);
      expect(() => readCsvHeader(['email', 'name', 'NAME'])).toThrow(/twice/);
    });

    it('reports a row of the wrong width with its line', () => {
      const cols = readCsvHeader(['email', 'name']);
      expect(checkCsvContact(['a@example.com'], cols, 2, 3, 4)).toEqual({
        ok: false,
        error: { row: 3, line: 4, code: 'COLUMN_COUNT', message: expect.any(String) },
      });
    });

    it('streams records with their line numbers, whatever the chunking', async () => {
      const csv = 'email,name\r\na@example.com,"Ali, Veli"\n\nb@example.com,"çok\nsatırlı"\nc@example.com,Can\n';
      const whole = await records(csv);
      const split = await records(csv.split(''));
      expect(whole).toEqual(split);
      expect(whole.map((r) => r.fields)).toEqual([
        ['email', 'name'],
        ['a@example.com', 'Ali, Veli'],
        ['b@example.com', 'çok\nsatırlı'],
        ['c@example.com', 'Can'],
      ]);
      expect(whole.map((r) => r.line)).toEqual([1, 2, 5, 6]);
    });

    it('reads semicolon and tab separated files and strips a BOM', async () => {
      expect((await records('\ufeffemail;ad\na@example.com;Ayşe\n')).map((r) => r.fields)).toEqual([
        ['email', 'ad'],
        ['a@example.com', 'Ayşe'],
      ]);
      expect((await records('email\tad\na@example.com\tAyşe')).map((r) => r.fields)).toEqual([
        ['email', 'ad'],
        ['a@example.com', 'Ayşe'],
      ]);
    });

    it('stops with the line of a syntax error', async () => {
      await expect(records('email,name\na@example.com,"open\n')).rejects.toBeInstanceOf(CsvSyntaxError);
    });

    it('stops reading a body over the limit', async () => {
      await expect(records(['email\n', 'a@example.com\n'.repeat(100)], 200)).rejects.toBeInstanceOf(
        UploadTooLargeError,
      );
    });
  });
});
