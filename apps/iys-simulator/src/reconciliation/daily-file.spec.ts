import { createHash } from 'crypto';
import type { Movement } from '../state/state-model';
import { DAILY_FILE_HEADER, buildDailyFile, sha384Hex, summariseDay } from './daily-file';

const movementFactory = {
  movement: (overrides: Partial<Movement> = {}): Movement => ({
    seq: 1,
    creationMs: 0,
    creationDate: '2026-11-27 10:00:00',
    transactionId: 'b'.repeat(64),
    iysCode: 100001,
    brandCode: 100001,
    recipient: '+905321112233',
    recipientType: 'BIREYSEL',
    type: 'MESAJ',
    status: 'ONAY',
    source: 'HS_WEB',
    consentDate: '2026-11-27 09:00:00',
    consentMs: 0,
    group: 'HS',
    previousStatus: null,
    ...overrides,
  }),
};

describe('daily-file', () => {
  it('writes the header, sorts by creationDate then transactionId, and ends with a newline', () => {
    const sut = buildDailyFile([
      movementFactory.movement({ seq: 2, transactionId: 'c'.repeat(64), creationDate: '2026-11-27 11:00:00' }),
      movementFactory.movement({
        seq: 3,
        transactionId: 'a'.repeat(64),
        creationDate: '2026-11-27 11:00:00',
        status: 'RET',
        source: 'IYS_MOBIL',
      }),
      movementFactory.movement(),
    ]);
    expect(sut.split('\n')).toEqual([
      DAILY_FILE_HEADER,
      `2026-11-27 10:00:00,${'b'.repeat(64)},+905321112233,BIREYSEL,MESAJ,ONAY,2026-11-27 09:00:00,HS_WEB`,
      `2026-11-27 11:00:00,${'a'.repeat(64)},+905321112233,BIREYSEL,MESAJ,RET,2026-11-27 09:00:00,IYS_MOBIL`,
      `2026-11-27 11:00:00,${'c'.repeat(64)},+905321112233,BIREYSEL,MESAJ,ONAY,2026-11-27 09:00:00,HS_WEB`,
      '',
    ]);
  });

  it('hashes with SHA-384 in lower-case hex', () => {
    expect(sha384Hex('x\n')).toBe(createHash('sha384').update('x\n').digest('hex'));
    expect(sha384Hex('x\n')).toMatch(/^[0-9a-f]{96}$/);
  });

  it('counts approvals (new ONAY, RET→ONAY) and rejections (ONAY→RET) per type and source group', () => {
    const sut = summariseDay(
      [
        movementFactory.movement(),
        movementFactory.movement({ status: 'RET', previousStatus: 'ONAY', group: 'IYS', source: 'IYS_MOBIL' }),
        movementFactory.movement({ status: 'ONAY', previousStatus: 'ONAY' }),
        movementFactory.movement({ type: 'EPOSTA', status: 'ONAY', previousStatus: 'RET' }),
        movementFactory.movement({ recipientType: 'TACIR' }),
      ],
      'BIREYSEL',
      new Set(['MESAJ', 'EPOSTA'] as const),
    );
    expect(sut.changeStats).toEqual([
      {
        type: 'MESAJ',
        consents: [
          { source: 'HS', approval: 1, rejection: 0, pending: 0, total: 1 },
          { source: 'IYS', approval: 0, rejection: 1, pending: 0, total: 1 },
        ],
      },
      {
        type: 'EPOSTA',
        consents: [
          { source: 'HS', approval: 1, rejection: 0, pending: 0, total: 1 },
          { source: 'IYS', approval: 0, rejection: 0, pending: 0, total: 0 },
        ],
      },
    ]);
  });
});
