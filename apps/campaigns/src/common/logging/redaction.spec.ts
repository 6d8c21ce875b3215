import pino from 'pino';
import { Writable } from 'stream';
import { loggablePath, REDACTED_LOG_PATHS } from './redaction';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, stream);
  return { logger, lines: () => chunks.join('').trim().split('\n').map((l) => JSON.parse(l)) };
}

describe('log redaction', () => {
  it('censors addresses and credentials wherever they appear in the first levels of a log object', () => {
    const sut = capture();
    sut.logger.info(
      {
        recipient: 'ayse@example.com',
        email: 'ali@example.com',
        campaign: { id: 'c1', to: 'veli@example.com' },
        job: { data: { phone: '+905321112233' } },
        req: { headers: { authorization: 'Bearer izk_sp_secret' } },
        brandId: 'b1',
      },
      'sent',
    );
    const [line] = sut.lines();
    const text = JSON.stringify(line);
    for (const secret of ['ayse@example.com', 'ali@example.com', 'veli@example.com', '+905321112233', 'izk_sp_secret']) {
      expect(text).not.toContain(secret);
    }
    expect(line).toMatchObject({ brandId: 'b1', campaign: { id: 'c1', to: '[redacted]' } });
  });
});

describe(loggablePath.name, () => {
  it.each([
    ['/v1/brands/791001/consents/EPOSTA/ayse%40example.com', '/v1/brands/791001/consents/EPOSTA/[address]'],
    ['/v1/brands/791001/consents/EPOSTA/ayse@example.com?x=1', '/v1/brands/791001/consents/EPOSTA/[address]'],
    ['/v1/brands/791001/consents/MESAJ/%2B905321112233', '/v1/brands/791001/consents/MESAJ/[address]'],
    // Not an address at all, but the recipient's place: masked all the same.
    ['/v1/brands/791001/consents/ARAMA/05321112233', '/v1/brands/791001/consents/ARAMA/[address]'],
    ['/v1/brands/791001/consents/eposta/not-valid', '/v1/brands/791001/consents/eposta/[address]'],
    ['/v1/suppressions/ali.veli%40example.com', '/v1/suppressions/[address]'],
    ['/v1/suppressions/malformed', '/v1/suppressions/[address]'],
    ['/u/WzEsImIiLCJheXNlQGV4YW1wbGUuY29tIl0.c2lnbmF0dXJl', '/u/[token]'],
    ['/u/WzEsImIiXQ.c2ln/undo', '/u/[token]/undo'],
    // Any other route: only what looks like an address.
    ['/v1/unknown/someone@example.com/x', '/v1/unknown/[address]/x'],
    ['/v1/messages/1b4e28ba-2fa1-11d2-883f-0016d3cca427', '/v1/messages/1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
    ['/v1/brands/791001/consents', '/v1/brands/791001/consents'],
    ['/v1/suppressions?email=a@b.com', '/v1/suppressions'],
    ['/health', '/health'],
  ])('%s → %s', (url, expected) => {
    expect(loggablePath(url)).toBe(expected);
  });
});
