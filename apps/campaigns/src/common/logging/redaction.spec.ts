import pino from 'pino';
import { Writable } from 'stream';
import pinoHttp from 'pino-http';
import { QueryFailedError } from 'typeorm';
import { loggableError, loggablePath, pinoHttpOptions, REDACTED_LOG_PATHS, scrubAddresses } from './redaction';

function capture(): { logger: pino.Logger; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } }, stream);
  return {
    logger,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
  };
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
    for (const secret of [
      'ayse@example.com',
      'ali@example.com',
      'veli@example.com',
      '+905321112233',
      'izk_sp_secret',
    ]) {
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

describe('errors in logs', () => {
  /** A unique violation as the pg driver raises it, wrapped by TypeORM with the statement and its parameters. */
  function databaseError(): QueryFailedError {
    const driverError = Object.assign(new Error('duplicate key value violates unique constraint "suppressions_pkey"'), {
      code: '23505',
      detail: 'Key (email)=(gizli.kisi@example.com) already exists.',
      constraint: 'suppressions_pkey',
    });
    return new QueryFailedError(
      'INSERT INTO suppressions (email, phone) VALUES ($1, $2)',
      ['gizli.kisi@example.com', '+905321112233'],
      driverError,
    );
  }

  /** The application's own logger options, through pino-http as nestjs-pino builds it. */
  function appLogger(): { logger: pino.Logger; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    });
    const middleware = pinoHttp(pinoHttpOptions('info') as never, stream);
    return { logger: middleware.logger, text: () => chunks.join('') };
  }

  it('logs a database error by type, message, code, constraint and stack, without its parameters or detail', () => {
    const sut = appLogger();
    sut.logger.error({ errorId: 'e1', err: databaseError() }, 'unhandled error e1');
    const text = sut.text();
    const line = JSON.parse(text);
    expect(line.err).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "suppressions_pkey"',
      code: '23505',
      constraint: 'suppressions_pkey',
    });
    expect(line.err.stack).toMatch(/^QueryFailedError: duplicate key/);
    expect(Object.keys(line.err).sort()).toEqual(['code', 'constraint', 'message', 'stack', 'type']);
    for (const secret of ['gizli.kisi@example.com', '905321112233', 'already exists', 'INSERT INTO'])
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
  });

  it('replaces an address inside an error message, in the message and the stack, and follows causes', () => {
    const sut = appLogger();
    const err = new Error('invalid input syntax for type uuid: "ali.veli@example.com"', {
      cause: new Error('SMTP 550 <ali.veli@example.com> rejected, call 05321112233'),
    });
    sut.logger.error({ err }, 'failed');
    const line = JSON.parse(sut.text());
    // pino's serializer (which runs first) joins the causes' messages to the error's own.
    expect(line.err.message).toBe(
      'invalid input syntax for type uuid: "[address]": SMTP 550 <[address]> rejected, call [address]',
    );
    expect(line.err.stack).toMatch(/^Error: invalid input syntax for type uuid: "\[address\]"/);
    expect(sut.text()).not.toContain('ali.veli');
    expect(sut.text()).not.toContain('5321112233');
  });

  it('replaces addresses in message texts and in errors logged as text', () => {
    const sut = appLogger();
    sut.logger.warn(
      { jobId: 'j1', err: 'SMTP 450 <ayse@example.com> try later' },
      'job j1 failed for ayse@example.com (+905321112233)',
    );
    const line = JSON.parse(sut.text());
    expect(line).toMatchObject({
      jobId: 'j1',
      err: 'SMTP 450 <[address]> try later',
      msg: 'job j1 failed for [address] ([address])',
    });
  });

  it('keeps stack frames whole (a path with @scope/ is no address)', () => {
    expect(scrubAddresses('at run (/app/node_modules/@nestjs/core/router/router-execution-context.js:46:28)')).toBe(
      'at run (/app/node_modules/@nestjs/core/router/router-execution-context.js:46:28)',
    );
    expect(loggableError('plain text a@b.co')).toEqual({ type: 'string', message: 'plain text [address]' });
  });
});
