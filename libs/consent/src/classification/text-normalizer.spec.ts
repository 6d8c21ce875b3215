import { decodeHtmlEntities, foldForMatching, htmlToText, prepareText } from './text-normalizer';

describe(foldForMatching.name, () => {
  it.each([
    ['KAMPANYA', 'kampanya'],
    ['Kampanyası', 'kampanyasi'],
    ['İNDİRİM', 'indirim'],
    ['FIRSAT', 'firsat'],
    ['ŞİFRE SIFIRLAMA', 'sifre sifirlama'],
    ['Ücretsiz Kargo', 'ucretsiz kargo'],
    ['Doğrulama Kodu', 'dogrulama kodu'],
    ['ÇÖĞÜŞ çöğüş ıi', 'cogus cogus ii'],
    ['Café Crème', 'cafe creme'],
    ['YOU MAY ALSO LIKE', 'you may also like'],
    ['  many \n\t spaces\u00a0here ', 'many spaces here'],
    ['zero\u200bwidth', 'zero width'],
    ["Kuzey Moda'da %50'ye varan", 'kuzey modada %50ye varan'],
    ['Günü’ne özel', 'gunune ozel'],
    ["we've got", 'weve got'],
    ["'quoted' words", "'quoted' words"],
    ['50₺ ve ％20', '50tl ve %20'],
    ['Order – confirmed', 'order - confirmed'],
  ])('folds %j to %j', (input, expected) => {
    expect(foldForMatching(input)).toBe(expected);
  });

  it('blanks out links and e-mail addresses', () => {
    expect(foldForMatching('Track: https://x.example/o/12?utm_campaign=summer%20sale now')).toBe('track: now');
    expect(foldForMatching('Write to kampanya@brand.example today')).toBe('write to today');
    expect(foldForMatching('see www.example.com/indirim')).toBe('see');
  });
});

describe(prepareText.name, () => {
  it('maps every folded character back to the text as written', () => {
    const prepared = prepareText('Büyük  İNDİRİM!');
    const start = prepared.folded.indexOf('indirim');
    const end = start + 'indirim'.length;
    const from = prepared.origin[start]!;
    const to = prepared.origin[end - 1]! + 1;
    expect(prepared.original.slice(from, to)).toBe('İNDİRİM');
  });
});

describe(htmlToText.name, () => {
  it('keeps visible words, alt texts and table cells, and drops styles, scripts and comments', () => {
    const html = `<html><head><title>x</title><style>.a{color:red}</style></head><body>
      <!-- hidden comment with indirim -->
      <script>var kampanya = 1;</script>
      <p>Sipariş<b>iniz</b> alındı</p>
      <table><tr><td>Kargo</td><td>Ücretsiz</td></tr></table>
      <img src="b.png" alt="%30 indirim"><img src="spacer.gif">
      <div>Teşekkürler&nbsp;&amp;&#32;iyi g&uuml;nler</div></body></html>`;
    expect(htmlToText(html)).toBe('Siparişiniz alındı\nKargo | Ücretsiz\n%30 indirim\nTeşekkürler & iyi günler');
  });

  it('keeps hidden preheaders: promotions hide there too', () => {
    expect(htmlToText('<span style="display:none">Flash sale</span><p>Hi</p>')).toBe('Flash sale\nHi');
  });
});

describe(decodeHtmlEntities.name, () => {
  it.each([
    ['&ccedil;&ouml;&uuml;&scedil;&gbreve;&inodot;&Idot;', 'çöüşğıİ'],
    ['&#x131;&#305;', 'ıı'],
    ['%20&percnt;', '%20%'],
    ['&unknown; &#0;', '&unknown; &#0;'],
  ])('decodes %j', (input, expected) => {
    expect(decodeHtmlEntities(input)).toBe(expected);
  });
});
