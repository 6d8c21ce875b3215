import { formatIysDate } from '../calendar';
import { readBatchItem, readIysMovement, toIysConsentBody } from './iys-wire';

describe(toIysConsentBody.name, () => {
  const base = {
    recipient: 'ayse@example.com',
    type: 'EPOSTA' as const,
    status: 'ONAY' as const,
    source: 'HS_WEB',
    recipientType: 'BIREYSEL' as const,
  };

  it('writes dates in Turkey time as YYYY-MM-DD HH:mm:ss, never UTC', () => {
    // 21:30:15.987 UTC is 00:30:15 the next day in Turkey (UTC+3 all year since 2016).
    const body = toIysConsentBody({ ...base, consentDate: new Date('2026-03-10T21:30:15.987Z') });
    expect(body.consentDate).toBe('2026-03-11 00:30:15');
    expect(formatIysDate(new Date('2015-05-01T00:00:00+03:00'))).toBe('2015-05-01 00:00:00');
  });

  it('leaves out every optional field that has no value instead of sending it empty (H267)', () => {
    const body = toIysConsentBody({ ...base, source: null, consentDate: null, retailerCode: null, retailerAccess: [] });
    expect(body).toEqual({ recipient: 'ayse@example.com', recipientType: 'BIREYSEL', status: 'ONAY', type: 'EPOSTA' });
    expect(JSON.stringify(body)).not.toMatch(/null|""|\[\]/);
  });

  it('keeps dealer fields when they are set', () => {
    expect(
      toIysConsentBody({ ...base, consentDate: null, retailerCode: 55550001, retailerAccess: [1, 2] }),
    ).toMatchObject({ retailerCode: 55550001, retailerAccess: [1, 2] });
  });

  it('is the same body for the same movement, so a v2 re-send is recognised', () => {
    const m = { ...base, consentDate: new Date('2026-03-10T11:00:00.123Z') };
    expect(JSON.stringify(toIysConsentBody(m))).toBe(
      JSON.stringify(toIysConsentBody({ ...m, consentDate: new Date('2026-03-10T11:00:00.999Z') })),
    );
  });
});

describe(readIysMovement.name, () => {
  const pulled = {
    consentDate: '2026-11-28 15:00:00',
    creationDate: '2026-11-28 15:00:02',
    source: 'IYS_MOBIL',
    recipient: 'John@Doe.com',
    recipientType: 'BIREYSEL',
    status: 'RET',
    type: 'EPOSTA',
    transactionId: 'E52EE3051D3A2A0E6A33E1E5A0C1D1C8D2B8B9D2FFB6AC4D7A1D3E6F0C2B429D',
    citizenName: 'Ahmet',
  };

  it('reads Turkey-time dates, lower-cases e-mail addresses and ignores extra fields', () => {
    const read = readIysMovement(pulled);
    expect(read).toEqual({
      ok: true,
      movement: {
        transactionId: pulled.transactionId.toLowerCase(),
        creationDate: new Date('2026-11-28T12:00:02Z'),
        consentDate: new Date('2026-11-28T12:00:00Z'),
        source: 'IYS_MOBIL',
        recipient: 'john@doe.com',
        recipientType: 'BIREYSEL',
        status: 'RET',
        type: 'EPOSTA',
      },
    });
  });

  it('keeps phone numbers exactly as İYS holds them, takes codes as numbers or strings, and an empty consentDate', () => {
    const read = readIysMovement({
      ...pulled,
      type: 'MESAJ',
      recipient: '+9005321112233',
      consentDate: '',
      iysCode: 100001,
      brandCode: '100002',
      source: 'IYS_AHS_HAT_KAPATMA',
    });
    expect(read.ok && read.movement).toMatchObject({
      recipient: '+9005321112233',
      consentDate: null,
      iysCode: '100001',
      brandCode: '100002',
    });
  });

  it('refuses what it cannot read, naming why', () => {
    expect(readIysMovement({ ...pulled, status: 'RED' })).toEqual({
      ok: false,
      unreadable: { transactionId: pulled.transactionId.toLowerCase(), problem: 'status is not ONAY or RET' },
    });
    expect(readIysMovement({ ...pulled, creationDate: '2026-11-28T12:00:02Z' }).ok).toBe(false);
    expect(readIysMovement({ ...pulled, transactionId: undefined }).ok).toBe(false);
    expect(readIysMovement('x').ok).toBe(false);
  });
});

describe(readBatchItem.name, () => {
  it('reads success, failure and enqueue items, with either spelling of subRequestId', () => {
    expect(
      readBatchItem({
        index: 1,
        status: 'success',
        subRequestId: 's',
        transactionId: 'ABC',
        creationDate: '2026-03-10 09:41:24',
      }),
    ).toEqual({
      index: 1,
      status: 'success',
      subRequestId: 's',
      transactionId: 'abc',
      creationDate: new Date('2026-03-10T06:41:24Z'),
    });
    expect(
      readBatchItem({ index: 0, status: 'failure', subRequestId: 'x', error: { code: 'H175', message: '…' } }),
    ).toEqual({ index: 0, status: 'failure', subRequestId: 'x', errorCode: 'H175' });
    expect(readBatchItem({ index: 2, status: 'enqueue', subrequestId: 'y' })).toEqual({
      index: 2,
      status: 'enqueue',
      subRequestId: 'y',
    });
    expect(readBatchItem({ index: 2, status: 'done' })).toBeNull();
    expect(readBatchItem({ status: 'success' })).toBeNull();
  });
});
