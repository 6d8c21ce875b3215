import { Purpose, TRANSACTIONAL_PURPOSES, COMMERCIAL_PURPOSES } from '../domain';
import { ClassifyMessageInput, analyzeMessageContent, classifyMessage } from './message-classifier';

const aMessage = (overrides: Partial<ClassifyMessageInput> = {}): ClassifyMessageInput => ({
  channel: 'EMAIL',
  purpose: 'ORDER',
  subject: 'Siparişiniz alındı',
  text: 'Merhaba, 48213 numaralı siparişiniz alınmıştır. Kargoya verildiğinde size haber vereceğiz.',
  ...overrides,
});

describe(classifyMessage.name, () => {
  describe('push notifications', () => {
    it.each<[Purpose | undefined, string]>([
      ['PROMOTION', 'Büyük indirim başladı!'],
      ['ORDER', 'Siparişiniz yolda'],
      [undefined, 'Happy New Year'],
    ])('are EXEMPT whatever the purpose (%s) and content', (purpose, text) => {
      const decision = classifyMessage(aMessage({ channel: 'PUSH', purpose, text }));
      expect(decision).toMatchObject({ kind: 'EXEMPT', requiresConsent: false, iysType: null });
      expect(decision.reasons[0]).toMatch(/PUSH is outside İYS/);
    });
  });

  describe('declared purposes', () => {
    it.each(TRANSACTIONAL_PURPOSES)('starts a clean %s message as TRANSACTIONAL', (purpose) => {
      const decision = classifyMessage(aMessage({ purpose }));
      expect(decision).toMatchObject({ kind: 'TRANSACTIONAL', requiresConsent: false, iysType: 'EPOSTA' });
      expect(decision.reasons).toContain(`declared purpose ${purpose} is transactional`);
    });

    it.each(COMMERCIAL_PURPOSES)('keeps a %s message COMMERCIAL even when it reads like a receipt', (purpose) => {
      const decision = classifyMessage(aMessage({ purpose }));
      expect(decision).toMatchObject({ kind: 'COMMERCIAL', requiresConsent: true });
      expect(decision.reasons).toContain(`declared purpose ${purpose} is commercial`);
      expect(decision.reasons.join(' ')).toMatch(/does not downgrade a commercial declaration/);
    });

    it('keeps a transactional declaration that no content confirms, and says so', () => {
      const decision = classifyMessage(aMessage({ purpose: 'SERVICE_NOTICE', subject: 'Merhaba', text: 'Merhaba' }));
      expect(decision.kind).toBe('TRANSACTIONAL');
      expect(decision.reasons.join(' ')).toMatch(/no content confirms the declared purpose/);
    });

    it.each([
      ['EMAIL', 'EPOSTA'],
      ['SMS', 'MESAJ'],
      ['CALL', 'ARAMA'],
    ] as const)('gives the İYS type of channel %s', (channel, iysType) => {
      expect(classifyMessage(aMessage({ channel })).iysType).toBe(iysType);
    });
  });

  describe('mixed content', () => {
    it.each([
      [
        'a coupon code',
        'Siparişiniz alındı. Bir sonraki alışverişinizde TESEKKUR15 kupon kodu ile %15 indirim!',
        'promo.coupon',
      ],
      ['"fırsat"', 'Siparişiniz alındı. Kaçırılmayacak fırsatlar sizi bekliyor.', 'promo.offer.tr'],
      ['"kampanya" in capitals', 'SİPARİŞİNİZ ALINDI. KAMPANYA DEVAM EDİYOR.', 'promo.campaign.tr'],
      ['a percentage', 'Siparişiniz alındı. Tüm aksesuarlarda %20!', 'promo.percent'],
      ['a percentage written 20%', 'Your order is confirmed. 20% on all accessories!', 'promo.percent'],
      ['"hediye"', 'Siparişiniz alındı. Her siparişe hediye!', 'promo.gift.tr'],
      ['free shipping', 'Siparişiniz alındı. 150 TL üzeri ücretsiz kargo!', 'promo.free-shipping'],
      [
        'cross-selling in Turkish',
        'Siparişiniz alındı. Bunlar da ilginizi çekebilir: atkı, bere.',
        'promo.cross-sell.tr',
      ],
      ['cross-selling in English', 'Your order is confirmed. You may also like: socks.', 'promo.cross-sell.en'],
      ['a newsletter', 'Siparişiniz alındı. Bültenimize göz atın.', 'promo.newsletter'],
      ['a holiday greeting', 'Siparişiniz alındı. Kurban Bayramınız kutlu olsun!', 'promo.greeting.tr'],
      ['a birthday greeting', 'Your order is confirmed. Happy birthday from all of us!', 'promo.greeting.en'],
      ['a satisfaction survey', 'Siparişiniz teslim edildi. Memnuniyet anketimize katılın.', 'promo.survey.tr'],
      ['a rating request', 'Your parcel was delivered. Rate your experience!', 'promo.survey.en'],
      ['ASCII-folded Turkish', 'Siparisiniz alindi. Tum urunlerde indirim basladi!', 'promo.discount.tr'],
    ])('escalates a transactional declaration carrying %s', (_label, text, signal) => {
      const decision = classifyMessage(aMessage({ text }));
      expect(decision).toMatchObject({ kind: 'COMMERCIAL', requiresConsent: true });
      expect(decision.signals).toContain(signal);
      expect(decision.reasons).toContain('declared purpose ORDER is transactional');
      expect(decision.reasons).toContain(
        'a message declared transactional that carries promotional content is commercial (mixed content)',
      );
    });

    it('quotes the promotional words as the message wrote them', () => {
      const decision = classifyMessage(aMessage({ text: 'Siparişiniz alındı. Sepette %20 İNDİRİM!' }));
      expect(decision.reasons).toContain("promotional content found: 'Sepette', '%20', 'İNDİRİM'");
    });

    it('reads the subject and the HTML too', () => {
      expect(classifyMessage(aMessage({ subject: 'Siparişiniz + %30 indirim' })).kind).toBe('COMMERCIAL');
      const html = '<p>Siparişiniz alındı.</p><img alt="Yaz kampanyası başladı" src="x.png">';
      expect(classifyMessage(aMessage({ html })).kind).toBe('COMMERCIAL');
    });
  });

  describe('near-misses stay transactional', () => {
    it.each([
      ['a free-returns notice', 'Siparişiniz kargoya verildi. İade ücretsizdir.'],
      ['"ücretsiz iade"', 'Siparişiniz teslim edildi. 14 gün içinde ücretsiz iade hakkınız vardır.'],
      ['a refunded shipping fee', 'Siparişiniz iptal edildi; kargo ücreti iade edilir.'],
      ['a right of withdrawal', 'Siparişiniz için 14 gün içinde cayma hakkınızı kullanabilirsiniz.'],
      ['VAT written %18 KDV', 'Siparişiniz faturalandı: 1.180 TL (%18 KDV dahil).'],
      ['VAT written %20 KDV dahil', 'Sipariş toplamı 1.200 TL, %20 KDV dahil.'],
      ['an order summary line', 'Sipariş özeti | Kargo | Ücretsiz | Toplam 350 TL'],
      ['a percent-encoded order link', 'Siparişinizi görüntüleyin: https://shop.example/orders/55%2F12?ref=%20mail'],
      [
        'campaign terms of an item already bought',
        'Siparişinizde uygulanan kampanya koşulları gereği iade tutarı yeniden hesaplanır.',
      ],
      ['a gift-card balance in a password reset', 'Şifreniz sıfırlandı. Hediye kartı bakiyeniz korunmaktadır.'],
      ['a missed delivery "fırsat"', 'Kargonuzu teslim etmek için size ulaşma fırsatı bulamadık.'],
      ['a holiday named without a wish', 'Bayram tatili nedeniyle siparişiniz 20 Haziran’da kargoya verilecektir.'],
      ['a numeric one-time code', 'Use code 482913 to confirm your order.'],
      ['fabric percentages', 'Siparişiniz: Kazak (%70 yün, %30 akrilik).'],
      ['a usage percentage', "Paketinizin %80'ini kullandınız. Kalan kullanım hakkınız 2 GB."],
    ])('with %s', (_label, text) => {
      const decision = classifyMessage(aMessage({ text }));
      expect(decision.kind).toBe('TRANSACTIONAL');
    });

    it('says which wording it did not count as promotional', () => {
      const decision = classifyMessage(
        aMessage({ text: 'Siparişiniz alındı. İade ücretsizdir. Toplam 1.200 TL (%20 KDV dahil).' }),
      );
      expect(decision.reasons).toContain(
        "not counted as promotional (legally required or factual wording): 'İade ücretsizdir', '%20 KDV'",
      );
      expect(decision.signals).toEqual(expect.arrayContaining(['neutral.free-returns.tr', 'neutral.tax-or-rate']));
    });

    it('still escalates a real offer next to a neutral phrase', () => {
      const decision = classifyMessage(aMessage({ text: 'İade ücretsizdir. Yeni sezonda %30 indirim!' }));
      expect(decision.kind).toBe('COMMERCIAL');
    });
  });

  describe('without a declared purpose', () => {
    const withoutPurpose = (text: string, channel: ClassifyMessageInput['channel'] = 'EMAIL') =>
      classifyMessage({ channel, subject: '', text });

    it.each([
      ['Siparişiniz kargoya verildi. Takip numaranız 7291004432.'],
      ['Liman Bank doğrulama kodunuz: 118274. Kimseyle paylaşmayın.'],
      ['Your password was reset. If this was not you, contact us.'],
      ['Şifre sıfırlama bağlantınız 30 dakika geçerlidir.'],
      ['Faturanız oluşturuldu. Son ödeme tarihi 28.03.2025.'],
    ])('classifies clearly transactional content %j as TRANSACTIONAL', (text) => {
      const decision = withoutPurpose(text, 'SMS');
      expect(decision.kind).toBe('TRANSACTIONAL');
      expect(decision.reasons[0]).toBe('no purpose declared, so the content decides');
    });

    it.each([
      ['Merhaba, sizi özledik!', /no clear transactional content/],
      ['Sayın müşterimiz, bilginize sunarız.', /only weak transactional content/],
      ['', /no clear transactional content/],
    ])('treats %j as COMMERCIAL when unsure', (text, reason) => {
      const decision = withoutPurpose(text);
      expect(decision.kind).toBe('COMMERCIAL');
      expect(decision.reasons.join(' ')).toMatch(reason);
    });

    it('treats transactional content with any promotional signal as COMMERCIAL', () => {
      expect(withoutPurpose('Siparişiniz kargoya verildi. Yeni koleksiyonu keşfedin!').kind).toBe('COMMERCIAL');
    });

    it('handles an unknown purpose from an untrusted caller as no purpose', () => {
      const decision = classifyMessage(aMessage({ purpose: 'RECEIPT' as Purpose }));
      expect(decision.kind).toBe('TRANSACTIONAL');
      expect(decision.reasons[0]).toBe('declared purpose RECEIPT is not a known purpose, so the content decides');
    });
  });

  it('ends every decision with what it means for consent', () => {
    expect(classifyMessage(aMessage()).reasons.at(-1)).toMatch(/no prior consent is required/);
    expect(classifyMessage(aMessage({ purpose: 'PROMOTION' })).reasons.at(-1)).toBe(
      'commercial: prior consent (EPOSTA ONAY) is required',
    );
  });

  it('lists promotional signals before transactional and neutral ones', () => {
    const { signals } = classifyMessage(aMessage({ text: 'Siparişiniz alındı. İade ücretsizdir. %20 indirim!' }));
    expect(signals[0]).toMatch(/^promo\./);
    expect(signals.at(-1)).toMatch(/^neutral\./);
  });

  it('is fast enough for a large HTML body', () => {
    const html = `<p>${'Siparişiniz alındı, teşekkür ederiz. '.repeat(2000)}</p>`;
    const started = Date.now();
    classifyMessage(aMessage({ html }));
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe(analyzeMessageContent.name, () => {
  it('weighs transactional evidence', () => {
    const analysis = analyzeMessageContent({ text: 'Sayın müşterimiz, siparişiniz kargoya verildi.' });
    expect(analysis.transactionalWeight).toBe(5);
    expect(analysis.promotional).toEqual([]);
  });
});
