import { MailSendError } from '@izinli/mailer';
import { classifySendError, isHardBounce } from './smtp-outcome';

describe(classifySendError.name, () => {
  it('treats a 5xx about the mailbox as a hard bounce', () => {
    expect(classifySendError(new MailSendError('550 5.1.1 <a@example.com>: user unknown', true, 550))).toEqual({
      kind: 'REJECTED',
      hardBounce: true,
      code: 550,
      message: '550 5.1.1 <a@example.com>: user unknown',
    });
  });

  it('treats a 5xx policy refusal as a failure that is not a bounce', () => {
    expect(classifySendError(new MailSendError('550 5.7.1 message refused as spam', true, 550))).toMatchObject({
      kind: 'REJECTED',
      hardBounce: false,
    });
    expect(classifySendError(new MailSendError('554 transaction failed', true, 554))).toMatchObject({
      kind: 'REJECTED',
      hardBounce: false,
    });
  });

  it('defers a 4xx and calls anything without an answer an outage', () => {
    expect(classifySendError(new MailSendError('451 4.7.1 greylisted, try later', false, 451))).toMatchObject({
      kind: 'DEFERRED',
      code: 451,
    });
    expect(classifySendError(new MailSendError('connect ECONNREFUSED 127.0.0.1:25', false))).toMatchObject({
      kind: 'UNAVAILABLE',
    });
    expect(classifySendError(new Error('socket hang up'))).toMatchObject({ kind: 'UNAVAILABLE' });
  });

  it('keeps stored messages on one line and bounded', () => {
    const r = classifySendError(new MailSendError('550 no\r\nsuch\nuser ' + 'x'.repeat(1000), true, 550));
    expect(r.kind === 'REJECTED' && r.message).toMatch(/^550 no such user x+$/);
    expect(r.kind === 'REJECTED' && r.message.length).toBe(500);
  });

  it.each([
    [550, '550 mailbox unavailable', true],
    [551, 'user not local', true],
    [553, 'mailbox name not allowed', true],
    [552, 'mailbox full', false],
    [550, '550 5.2.1 mailbox disabled', true],
    [550, '550 5.2.2 mailbox full', false],
    [null, '5.1.2 bad destination domain', true],
  ])('decides bounce for %p %p as %p', (code, message, bounce) => {
    expect(isHardBounce(code, message)).toBe(bounce);
  });
});
