import { SmtpSink, startSmtpSink } from '@izinli/testing';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * SMTP_REQUIRE_TLS through the app: a relay that offers no STARTTLS shows up in /health with the setting named, before
 * any message is sent to it.
 */
describe('SMTP_REQUIRE_TLS in /health (e2e)', () => {
  let sink: SmtpSink;
  let t: TestApp;
  beforeAll(async () => {
    sink = await startSmtpSink({ hideSTARTTLS: true });
    t = await startTestApp({ SMTP_URL: sink.url, SMTP_REQUIRE_TLS: 'true' });
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('reports the mail check down, naming the setting, when the relay cannot upgrade to TLS', async () => {
    const res = await t.http().get('/health').expect(503);
    expect(res.body.checks.mail).toMatchObject({ status: 'down' });
    expect(res.body.checks.mail.detail).toMatch(/did not upgrade the connection to TLS and SMTP_REQUIRE_TLS is on/);
    expect(sink.messages).toEqual([]);
  });
});
