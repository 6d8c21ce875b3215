import { escapeHtml, renderUnsubscribePage, UNSUBSCRIBE_PAGE_HEADERS, UnsubscribePageView } from './unsubscribe-page';
import { readFormFields, readMultipart, unsubscribeIntent } from './unsubscribe-body';
import { createHash } from 'crypto';

const TOKEN = 'eyJhYmMiOjF9.c2lnbmF0dXJl';

describe(renderUnsubscribePage.name, () => {
  const confirm = (over: Partial<Extract<UnsubscribePageView, { kind: 'confirm' }>> = {}) =>
    renderUnsubscribePage({ kind: 'confirm', brandName: 'Alfa Mağaza', maskedAddress: 'a***@e***.com', ...over });

  it('is a complete page in Turkish and English with a real, labelled post form', () => {
    const sut = confirm();
    expect(sut).toMatch(/^<!DOCTYPE html>\n<html lang="tr">/);
    expect(sut).toContain('<section lang="tr">');
    expect(sut).toContain('<section lang="en">');
    expect(sut).toContain('<title>');
    expect(sut).toMatch(
      /<form method="post" action="">[\s\S]*<button type="submit">Abonelikten çık \/ Unsubscribe<\/button>[\s\S]*<\/form>/,
    );
    expect(sut).toContain('Alfa Mağaza');
    expect(sut).toContain('a***@e***.com');
  });

  it('loads nothing and runs nothing: no script, no external reference', () => {
    const sut = confirm();
    expect(sut).not.toMatch(/<script|<link|<img|<iframe|src=|https?:\/\//i);
  });

  it('escapes the brand name everywhere it appears', () => {
    const sut = confirm({ brandName: '<script>alert("x")</script> & \'Co\'' });
    expect(sut).not.toContain('<script>');
    expect(sut).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Co&#39;');
  });

  it("offers the undo only when it has this link's token, as a post form relative to the link", () => {
    const withUndo = renderUnsubscribePage({
      kind: 'done',
      brandName: 'B',
      maskedAddress: 'a***@e***.com',
      undoToken: TOKEN,
    });
    expect(withUndo).toContain(`<form method="post" action="./${TOKEN}/undo">`);
    expect(withUndo).toContain('name="action" value="undo"');
    const without = renderUnsubscribePage({
      kind: 'done',
      brandName: 'B',
      maskedAddress: 'a***@e***.com',
      undoToken: null,
    });
    expect(without).not.toContain('<form');
    expect(
      renderUnsubscribePage({ kind: 'already', brandName: 'B', maskedAddress: 'm', undoToken: null }),
    ).not.toContain('<form');
  });

  it.each<UnsubscribePageView>([
    { kind: 'invalid' },
    { kind: 'error', status: 413 },
    { kind: 'undone', brandName: 'B', maskedAddress: 'm' },
    { kind: 'undo-refused', brandName: 'B', maskedAddress: 'm', reason: 'CHANGED' },
    { kind: 'superseded', brandName: 'B', maskedAddress: 'm' },
  ])('renders the $kind page in both languages without a form', (view) => {
    const sut = renderUnsubscribePage(view);
    expect(sut).toContain('<section lang="tr">');
    expect(sut).toContain('<section lang="en">');
    expect(sut).not.toContain('<form');
  });

  it('says why an undo was refused, a different sentence for each reason, and that nothing changed', () => {
    const reasons = ['NO_UNSUBSCRIBE', 'NOTHING_TO_RESTORE', 'ALREADY_UNDONE', 'EXPIRED', 'CHANGED'] as const;
    const pages = reasons.map((reason) =>
      renderUnsubscribePage({ kind: 'undo-refused', brandName: '<B>', maskedAddress: 'm', reason }),
    );
    expect(new Set(pages).size).toBe(reasons.length);
    for (const page of pages) {
      expect(page).toContain('Hiçbir şey değiştirilmedi.');
      expect(page).toContain('Nothing was changed.');
      expect(page).not.toContain('<B>');
    }
    expect(pages[3]).toContain('7 days');
    expect(pages[1]).toContain('never creates one');
  });

  it('names its own stylesheet by hash in a strict Content-Security-Policy', () => {
    const style = /<style>([\s\S]*?)<\/style>/.exec(confirm())![1];
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    const csp = UNSUBSCRIBE_PAGE_HEADERS['Content-Security-Policy'];
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(UNSUBSCRIBE_PAGE_HEADERS).toMatchObject({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': expect.stringContaining('noindex'),
    });
  });

  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});

describe(unsubscribeIntent.name, () => {
  it('tells RFC 8058 one-click from the page form from anything else', () => {
    expect(unsubscribeIntent({ 'List-Unsubscribe': 'One-Click' })).toBe('one-click');
    expect(unsubscribeIntent({ action: 'unsubscribe' })).toBe('form');
    expect(unsubscribeIntent({})).toBe('unknown');
    expect(unsubscribeIntent({ 'List-Unsubscribe': 'Yes' })).toBe('unknown');
  });
});

describe(readMultipart.name, () => {
  const body = (boundary: string, parts: string[]) =>
    Buffer.from(parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('') + `--${boundary}--\r\n`, 'utf8');

  it('reads the text fields of a multipart/form-data body', () => {
    const b = body('XyZ', [
      'Content-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click',
      'Content-Disposition: form-data; name="x"\r\n\r\nçay',
    ]);
    expect(readMultipart(b, 'multipart/form-data; boundary=XyZ')).toEqual({
      'List-Unsubscribe': 'One-Click',
      x: 'çay',
    });
    expect(readMultipart(b, 'multipart/form-data; boundary="XyZ"')).toEqual({
      'List-Unsubscribe': 'One-Click',
      x: 'çay',
    });
  });

  it('answers null for a body it cannot read', () => {
    expect(readMultipart(Buffer.from('garbage'), 'multipart/form-data; boundary=XyZ')).toBeNull();
    expect(readMultipart(Buffer.from('--XyZ\r\nno headers'), 'multipart/form-data; boundary=XyZ')).toBeNull();
    expect(
      readMultipart(
        Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated'),
        'multipart/form-data; boundary=XyZ',
      ),
    ).toBeNull();
    expect(readMultipart(Buffer.from('x'), 'multipart/form-data')).toBeNull();
    const many = body(
      'B',
      Array.from({ length: 30 }, (_, i) => `Content-Disposition: form-data; name="f${i}"\r\n\r\nv`),
    );
    expect(readMultipart(many, 'multipart/form-data; boundary=B')).toBeNull();
  });

  it('takes string fields of a parsed urlencoded body and nothing else', () => {
    expect(readFormFields({ a: '1', b: ['x'], c: { d: 1 } }, 'application/x-www-form-urlencoded')).toEqual({ a: '1' });
    expect(readFormFields(undefined, undefined)).toEqual({});
    expect(readFormFields({ 'List-Unsubscribe': 'One-Click' }, 'application/json')).toEqual({});
  });
});
