import pino from 'pino';
import { Writable } from 'stream';
import { REDACTED_LOG_PATHS } from './redaction';

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
