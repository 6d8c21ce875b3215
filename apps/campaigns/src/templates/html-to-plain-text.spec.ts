import { decodeEntities, htmlToPlainText } from './html-to-plain-text';

describe(htmlToPlainText.name, () => {
  it('keeps words and paragraphs, dropping tags', () => {
    expect(htmlToPlainText('<h1>Merhaba</h1><p>Yeni   sezon\n ürünleri <b>geldi</b>.</p><p>İyi günler</p>')).toBe(
      'Merhaba\n\nYeni sezon ürünleri geldi.\n\nİyi günler',
    );
  });

  it('keeps the URL of every link beside its words', () => {
    expect(htmlToPlainText('<p>Bakın: <a href="https://ornek.com.tr/yeni">yeni ürünler</a></p>')).toBe(
      'Bakın: yeni ürünler (https://ornek.com.tr/yeni)',
    );
    expect(htmlToPlainText('<a href="https://x.example/u/abc">https://x.example/u/abc</a>')).toBe(
      'https://x.example/u/abc',
    );
    expect(htmlToPlainText('<a href="https://x.example/logo"><img src="l.png"></a>')).toBe('https://x.example/logo');
    expect(htmlToPlainText('<a href="mailto:destek@ornek.com.tr">yazın</a>')).toBe('yazın (destek@ornek.com.tr)');
  });

  it('does not show javascript: or relative links', () => {
    expect(htmlToPlainText('<a href="javascript:alert(1)">tık</a> <a href="/rel">göreli</a>')).toBe('tık göreli');
  });

  it('drops head, style, script and comments', () => {
    const html =
      '<html><head><title>T</title><style>p{color:red}</style></head><body><!-- gizli --><script>var a = "<p>";</script><p>Görünen</p></body></html>';
    expect(htmlToPlainText(html)).toBe('Görünen');
  });

  it('decodes named and numeric entities, including Turkish letters', () => {
    expect(
      htmlToPlainText('<p>&Ccedil;ok &quot;iyi&quot; &amp; &#351;ahane &#x11F; &euro;5&nbsp;ve &unknown;</p>'),
    ).toBe('Çok "iyi" & şahane ğ €5 ve &unknown;');
    expect(decodeEntities('&#0;&#xD800;&#9999999;')).toBe('\ufffd\ufffd\ufffd');
  });

  it('turns lists, line breaks and rules into lines', () => {
    expect(htmlToPlainText('<ul><li>bir</li><li>iki</li></ul>satır<br>alt<hr>son')).toBe(
      '- bir\n- iki\n\nsatır\nalt\n\n----\n\nson',
    );
  });

  it('leaves no line of white space behind: &nbsp; spacer paragraphs, a CR in <pre>, mixed-case hidden elements', () => {
    expect(htmlToPlainText('<p>a</p><p>&#160;</p><p>&nbsp;</p><p>\u00a0 </p><p>b</p>')).toBe('a\n\nb');
    expect(htmlToPlainText('<pre>x \r\n y</pre>')).toBe('x\ny');
    expect(htmlToPlainText('<STYLE>p{}</Style><p>Görünen</p><SCRIPT>x()</script>')).toBe('Görünen');
  });

  it('keeps a > inside a quoted attribute inside the tag', () => {
    expect(htmlToPlainText('<a title="a>b" href="https://e.example/x">git</a>')).toBe('git (https://e.example/x)');
  });

  it('shows image alt texts and survives broken markup', () => {
    expect(htmlToPlainText('<img alt="%50 indirim" src="x.png"> <p>a < b')).toBe('%50 indirim\n\na < b');
    expect(htmlToPlainText('<p>açık kalan <!-- yorum')).toBe('açık kalan');
    expect(htmlToPlainText('<script>never closed')).toBe('');
  });

  it('compares each link of nested links with its own words', () => {
    expect(
      htmlToPlainText('<a href="https://e.example/a"><a href="https://e.example/b"> https://e.example/b </a> x</a>'),
    ).toBe('https://e.example/b x (https://e.example/a)');
    expect(
      htmlToPlainText('<a href="mailto:a@e.example"><b>a@e.example</b></a><a href="https://e.example/c"> </a>'),
    ).toBe('a@e.example https://e.example/c');
  });

  it('stays linear on links nested thousands deep', () => {
    const nested = '<a href="https://e.example/x">w'.repeat(20_000) + '</a>'.repeat(20_000);
    const t0 = Date.now();
    const text = htmlToPlainText(nested);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(text.startsWith('w'.repeat(20_000) + ' (https://e.example/x)')).toBe(true);
  });

  it('stays linear on hostile input', () => {
    const hostile = '<a href="'.repeat(20_000) + '<!--'.repeat(20_000) + '<'.repeat(50_000);
    const t0 = Date.now();
    htmlToPlainText(hostile);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});
