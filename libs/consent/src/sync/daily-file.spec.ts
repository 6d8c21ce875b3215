import {
  buildDailyFile,
  DAILY_FILE_HEADER,
  diffDailyFiles,
  parseDailyFile,
  sha384Hex,
  toDailyFileRow,
} from './daily-file';

const row = (tx: string, creation: string, over: Partial<Parameters<typeof toDailyFileRow>[0]> = {}) =>
  toDailyFileRow({
    creationDate: new Date(creation),
    transactionId: tx,
    recipient: 'ayse@example.com',
    recipientType: 'BIREYSEL',
    type: 'EPOSTA',
    status: 'ONAY',
    consentDate: new Date('2026-11-27T09:00:00.450Z'),
    source: 'HS_WEB',
    ...over,
  });

describe(buildDailyFile.name, () => {
  it("writes İYS's columns in Turkey time, sorted by creationDate then transactionId, ending with a newline", () => {
    const file = buildDailyFile([
      row('bb', '2026-11-27T10:00:00Z'),
      row('aa', '2026-11-27T10:00:00Z'),
      row('cc', '2026-11-27T09:00:00Z', { status: 'RET', source: 'IYS_MOBIL' }),
    ]);
    expect(file).toBe(
      `${DAILY_FILE_HEADER}\n` +
        '2026-11-27 12:00:00,cc,ayse@example.com,BIREYSEL,EPOSTA,RET,2026-11-27 12:00:00,IYS_MOBIL\n' +
        '2026-11-27 13:00:00,aa,ayse@example.com,BIREYSEL,EPOSTA,ONAY,2026-11-27 12:00:00,HS_WEB\n' +
        '2026-11-27 13:00:00,bb,ayse@example.com,BIREYSEL,EPOSTA,ONAY,2026-11-27 12:00:00,HS_WEB\n',
    );
  });

  it("hashes with SHA-384 in lower-case hex, so an identical file of İYS's gives the same hash", () => {
    const file = buildDailyFile([row('aa', '2026-11-27T10:00:00Z')]);
    expect(sha384Hex(file)).toMatch(/^[0-9a-f]{96}$/);
    expect(sha384Hex(file)).toBe(sha384Hex(`${DAILY_FILE_HEADER}\n${file.split('\n')[1]}\n`));
    expect(sha384Hex(buildDailyFile([]))).toBe(sha384Hex(`${DAILY_FILE_HEADER}\n`));
  });
});

describe(diffDailyFiles.name, () => {
  it('names the movements each side lacks and those it holds differently', () => {
    const local = [
      row('aa', '2026-11-27T10:00:00Z'),
      row('bb', '2026-11-27T10:00:00Z'),
      row('dd', '2026-11-27T11:00:00Z'),
    ];
    const iys = parseDailyFile(
      buildDailyFile([
        row('aa', '2026-11-27T10:00:00Z'),
        row('bb', '2026-11-27T10:00:00Z', { status: 'RET' }),
        row('cc', '2026-11-27T10:30:00Z'),
      ]) + 'garbage line\n',
    );
    expect(iys.malformed).toBe(1);
    expect(diffDailyFiles(local, iys.rows).map((d) => [d.transactionId, d.kind])).toEqual([
      ['bb', 'DIFFERENT'],
      ['cc', 'MISSING_LOCALLY'],
      ['dd', 'MISSING_AT_IYS'],
    ]);
  });
});
