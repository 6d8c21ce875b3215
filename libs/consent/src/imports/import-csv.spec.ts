import { CsvItem, readCsvRecords, readImportHeader, rowToMovementInput } from './import-csv';

async function readAll(text: string, pieceSize: number, maxRecordChars = 1000): Promise<CsvItem[]> {
  const buf = Buffer.from(text, 'utf8');
  async function* pieces() {
    for (let i = 0; i < buf.length; i += pieceSize) yield buf.subarray(i, i + pieceSize);
  }
  const out: CsvItem[] = [];
  for await (const items of readCsvRecords(pieces(), maxRecordChars)) out.push(...items);
  return out;
}

describe(readImportHeader.name, () => {
  it('matches names in any order and case, and leaves out optional columns', () => {
    const sut = readImportHeader(['\ufeffStatus', ' RECIPIENT ', 'type', 'consentdate']);
    expect(sut).toEqual({
      ok: true,
      header: { width: 4, index: { status: 0, recipient: 1, type: 2, consentDate: 3, source: -1, recipientType: -1 } },
    });
  });

  it('names every missing, unknown and repeated column', () => {
    const sut = readImportHeader(['recipient', 'recipient', 'email', '']);
    expect(sut.ok).toBe(false);
    expect(!sut.ok && sut.message).toMatch(
      /missing column\(s\) type, status; unknown column\(s\) "email", \(empty, column 4\); repeated column\(s\) recipient/,
    );
  });
});

describe(rowToMovementInput.name, () => {
  it('upper-cases the enum cells and reads an empty cell as a value left out', () => {
    const read = readImportHeader(['recipient', 'type', 'status', 'source', 'consentDate', 'recipientType']);
    if (!read.ok) throw new Error(read.message);
    expect(rowToMovementInput([' A@x.com', 'eposta', ' onay', 'hs_web', '', ''], read.header)).toEqual({
      recipient: ' A@x.com',
      type: 'EPOSTA',
      status: 'ONAY',
      source: 'HS_WEB',
      consentDate: undefined,
      recipientType: undefined,
    });
    expect(rowToMovementInput(['esnaf@x.com', 'EPOSTA', 'ONAY', ' ', '', 'tacir'], read.header)).toMatchObject({
      source: undefined,
      consentDate: undefined,
      recipientType: 'TACIR',
    });
  });
});

describe(readCsvRecords.name, () => {
  const text = 'h1,h2\r\n"a\r\nb",c\r\n\r\n"d ""q""",e\r\nf,"ş"\r\n';

  it('numbers physical lines, blank lines and CRLF inside quotes included, whatever the piece size', async () => {
    for (const size of [1, 2, 5, 100]) {
      const sut = await readAll(text, size);
      expect(sut.map((i) => (i.kind === 'record' ? [i.line, i.endLine, i.fields] : i))).toEqual([
        [1, 1, ['h1', 'h2']],
        [2, 3, ['a\r\nb', 'c']],
        [4, 4, ['']],
        [5, 5, ['d "q"', 'e']],
        [6, 6, ['f', 'ş']],
      ]);
    }
  });

  it('reports a quote never closed where it opened, and stops for good at a record too long to be a row', async () => {
    expect((await readAll('h\nok\n"open\nmore\n', 3)).slice(-1)).toEqual([
      expect.objectContaining({ kind: 'problem', line: 3, recoverable: true }),
    ]);
    const sut = await readAll(`h\nok\n"${'x'.repeat(50)}\nafter\n`, 4, 20);
    expect(sut.slice(-1)).toEqual([expect.objectContaining({ kind: 'problem', line: 3, recoverable: false })]);
  });
});
