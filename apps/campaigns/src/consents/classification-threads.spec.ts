import { classifyMessage, type ClassifyMessageInput } from '@izinli/consent';
import { LARGE_CONTENT } from '../transactional/message-content';
import { ClassificationThreads, ClassificationUnavailableError } from './classification-threads';

const MESSAGES: ClassifyMessageInput[] = [
  { channel: 'EMAIL', purpose: 'ORDER', subject: 'Siparişiniz kargoya verildi', text: 'Sipariş no 12345 yola çıktı.' },
  {
    channel: 'EMAIL',
    purpose: 'ORDER',
    subject: 'Siparişiniz',
    html: '<p>Sipariş onaylandı. <b>Tüm ürünlerde %50 İNDİRİM</b> fırsatını kaçırmayın!</p>',
  },
  { channel: 'EMAIL', subject: 'Kampanya', html: '<a href="https://e.example/x">Şimdi al</a>'.repeat(3_000) },
  { channel: 'SMS', purpose: 'SECURITY', text: 'Doğrulama kodunuz: 481516. Kimseyle paylaşmayın.' },
  { channel: 'EMAIL', purpose: 'ORDER', text: 'a.'.repeat(40_000) + ' ıİşŞğĞüÜöÖçÇ' },
];

describe('ClassificationThreads', () => {
  let pool: ClassificationThreads;

  beforeAll(() => {
    pool = new ClassificationThreads(1);
  });

  afterAll(async () => {
    await pool.close();
  });

  it.each(MESSAGES.map((m, i) => [i, m] as const))(
    'decides message %i on a thread exactly as inline',
    async (_i, message) => {
      expect(await pool.onThread(message)).toEqual(classifyMessage(message));
    },
  );

  it('classifies large content on a thread while the event loop keeps running', async () => {
    const message: ClassifyMessageInput = {
      channel: 'EMAIL',
      purpose: 'ORDER',
      text: '%' + '1'.repeat(LARGE_CONTENT * 3),
    };
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    const decided = pool.classify(message);
    // Inline, classify would have decided before returning and no timer could run until the promise settled.
    const decision = await decided;
    clearInterval(ticker);
    expect(decision).toEqual(classifyMessage(message));
    expect(ticks).toBeGreaterThan(0);
  });

  it('answers many queued messages in order of their own content', async () => {
    const decisions = await Promise.all([...MESSAGES, ...MESSAGES].map((m) => pool.onThread(m)));
    expect(decisions).toEqual([...MESSAGES, ...MESSAGES].map((m) => classifyMessage(m)));
  });

  it('fails a message that takes longer than its timeout, and the next message gets a fresh thread', async () => {
    const impatient = new ClassificationThreads(1, 1);
    try {
      await expect(impatient.onThread({ channel: 'EMAIL', text: 'x'.repeat(1_000_000) })).rejects.toBeInstanceOf(
        ClassificationUnavailableError,
      );
    } finally {
      await impatient.close();
    }
    const after = new ClassificationThreads(1, 30_000);
    try {
      expect(await after.onThread(MESSAGES[0])).toEqual(classifyMessage(MESSAGES[0]));
    } finally {
      await after.close();
    }
  });

  it('refuses work once closed, with an error rather than a decision', async () => {
    const closed = new ClassificationThreads(1);
    await closed.close();
    await expect(closed.classify({ channel: 'EMAIL', text: 'y'.repeat(LARGE_CONTENT) })).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
    });
  });
});
