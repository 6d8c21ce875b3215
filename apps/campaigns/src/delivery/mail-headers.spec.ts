import {
  campaignHeaders,
  campaignMessageId,
  domainOf,
  feedbackId,
  HeaderInput,
  listIdHeader,
  messageHeaders,
  sharedCampaignHeaders,
} from './mail-headers';

const input = (over: Partial<HeaderInput> = {}): HeaderInput => ({
  campaignId: '0f7c1f44-5d2a-4b0e-9a55-3c1d2e3f4a5b',
  ledgerId: '1234',
  kind: 'COMMERCIAL',
  brandCode: '100001',
  fromEmail: 'kampanya@Ornek.com.tr',
  listId: '9A1B2C3D-0000-4000-8000-000000000001',
  listName: 'Bülten "aboneleri"\r\nBcc: x@example.com',
  senderId: '700001',
  unsubscribeUrl: 'https://izinli.example/u/tok.sig',
  ...over,
});

describe('campaign mail headers', () => {
  it('gives a deterministic Message-ID per campaign and ledger row, at the brand’s domain', () => {
    expect(campaignMessageId('c1', '42', 'kampanya@Ornek.com.tr')).toBe('<cc1.r42@ornek.com.tr>');
    expect(campaignMessageId('c1', '42', 'kampanya@Ornek.com.tr')).toBe(
      campaignMessageId('c1', '42', 'kampanya@Ornek.com.tr'),
    );
    expect(domainOf('broken')).toBe('izinli.invalid');
  });

  it('names the list per brand and list, on one line, in plain words a mailer leaves readable', () => {
    expect(listIdHeader('9A1B', 'Bülten "aboneleri"\r\nBcc: x', '100001')).toBe(
      'Bulten aboneleri Bcc x <9a1b.100001.izinli>',
    );
    expect(listIdHeader('9a1b', 'Kasım İndirimi — Çok Özel', '100001')).toBe(
      'Kasim Indirimi Cok Ozel <9a1b.100001.izinli>',
    );
    expect(listIdHeader('9a1b', '', '100001')).toBe('<9a1b.100001.izinli>');
  });

  it('builds Feedback-ID from campaign, brand, kind and sender with no stray separators', () => {
    expect(feedbackId('c-1', '100001', 'COMMERCIAL', '7000:01')).toBe('c-1:100001:commercial:700001');
  });

  it('gives commercial mail the one-click unsubscribe pair', () => {
    const h = campaignHeaders(input());
    expect(h).toEqual({
      'List-Id': 'Bulten aboneleri Bcc x example com <9a1b2c3d-0000-4000-8000-000000000001.100001.izinli>',
      'Feedback-ID': '0f7c1f44-5d2a-4b0e-9a55-3c1d2e3f4a5b:100001:commercial:700001',
      'List-Unsubscribe': '<https://izinli.example/u/tok.sig>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(Object.values(h).every((v) => !/[\r\n]/.test(v))).toBe(true);
  });

  it('gives transactional mail no unsubscribe headers, and refuses commercial mail without a URL', () => {
    const h = campaignHeaders(input({ kind: 'TRANSACTIONAL', unsubscribeUrl: null }));
    expect(Object.keys(h).sort()).toEqual(['Feedback-ID', 'List-Id']);
    expect(h['Feedback-ID']).toContain(':transactional:');
    expect(() => campaignHeaders(input({ unsubscribeUrl: null }))).toThrow();
  });

  it("builds per-message headers from the campaign's shared ones exactly as campaignHeaders does, never changing them", () => {
    for (const over of [{}, { kind: 'TRANSACTIONAL' as const, unsubscribeUrl: null }]) {
      const h = input(over);
      const shared = Object.freeze(sharedCampaignHeaders(h));
      const m = messageHeaders(h.kind, shared, h.unsubscribeUrl);
      expect(m).toEqual(campaignHeaders(h));
      expect(m).not.toBe(shared);
    }
    expect(() => messageHeaders('COMMERCIAL', sharedCampaignHeaders(input()), null)).toThrow();
  });
});
