import {
  MAX_PARTIAL_DEPTH,
  MAX_RENDER_STEPS,
  MAX_RENDERED_LENGTH,
  RenderContext,
  TemplateEngine,
  TemplateInvalidError,
  TemplateRenderError,
  TemplateSource,
} from './template-engine';

const URL = 'https://izinli.example/u/abc.def';

const ctx = (over: Partial<RenderContext> = {}): RenderContext => ({
  data: { firstName: 'Ayşe' },
  email: 'ayse@example.com',
  brandName: 'Örnek',
  unsubscribeUrl: URL,
  ...over,
});

const source = (over: Partial<TemplateSource> = {}): TemplateSource => ({
  subject: 'Merhaba {{firstName}}',
  html: '<p>Merhaba {{firstName}}</p><p><a href="{{unsubscribeUrl}}">çık</a></p>',
  ...over,
});

describe(TemplateEngine.name, () => {
  const sut = new TemplateEngine();

  describe('compile check', () => {
    it('accepts a good template', () => {
      expect(sut.check(source())).toEqual([]);
    });

    it('names the line of a syntax error', () => {
      const problems = sut.check(source({ html: '<p>bir</p>\n<p>iki</p>\n{{#if vip}}\n<p>üç</p>' }));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ field: 'html', line: 4 });
      expect(problems[0].message).toMatch(/^line 4: /);
    });

    it('names the line of an unclosed expression and of a stray close', () => {
      expect(sut.check(source({ html: 'a\n\n{{firstName' }))[0]).toMatchObject({ field: 'html', line: 3 });
      expect(sut.check(source({ subject: '{{/if}}' }))[0]).toMatchObject({ field: 'subject', line: 1 });
    });

    it('refuses unknown helpers with their line', () => {
      const [p] = sut.check(source({ text: 'satır\n{{shout firstName}}' }));
      expect(p).toMatchObject({ field: 'text', line: 2 });
      expect(p.message).toContain('shout');
    });

    it('refuses the log helper, which would write personal data to the console', () => {
      expect(sut.check(source({ html: '{{log email}}' }))).toHaveLength(1);
    });

    it('refuses unescaped output from a tenant', () => {
      for (const html of ['<p>{{{firstName}}}</p>', '<p>{{& firstName}}</p>']) {
        const [p] = sut.check(source({ html }));
        expect(p.message).toMatch(/line 1: unescaped output/);
      }
    });

    it('refuses unknown and computed partials, accepts built-in and inline ones', () => {
      expect(sut.check(source({ html: 'x\n{{> header}}' }))[0]).toMatchObject({
        line: 2,
        message: expect.stringContaining('unknown partial "header"'),
      });
      expect(sut.check(source({ html: '{{> (whichPartial)}}' }))).toHaveLength(1);
      expect(
        sut.check(
          source({
            html: '{{#*inline "kart"}}<b>{{name}}</b>{{/inline}}{{> kart name=firstName}} {{> unsubscribe}} {{> button href="https://x.example" label="Git"}}',
          }),
        ),
      ).toEqual([]);
    });

    it('refuses block helpers without their value', () => {
      expect(sut.check(source({ html: '{{#each}}x{{/each}}' }))[0].message).toMatch(/#each/);
    });

    it('reports every failing part at once and throws on compile', () => {
      const bad = source({ subject: '{{#if}}', html: '{{x' });
      expect(sut.check(bad).map((p) => p.field)).toEqual(['subject', 'html']);
      expect(() => sut.compile(bad)).toThrow(TemplateInvalidError);
    });

    it('refuses parts longer than the limit', () => {
      expect(sut.check(source({ subject: 'x'.repeat(999) }))[0]).toMatchObject({ field: 'subject', line: null });
    });
  });

  describe('render', () => {
    it('escapes data in HTML and leaves plain-text parts unescaped', () => {
      const t = sut.compile(
        source({
          subject: 'Fırsat: {{firstName}}',
          html: '<p>{{firstName}}</p><a href="{{unsubscribeUrl}}">x</a>',
          text: 'Merhaba {{firstName}}',
        }),
      );
      const out = t.render(ctx({ data: { firstName: '<script>alert("x")</script> & Co' } }));
      expect(out.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
      expect(out.html).not.toContain('<script>');
      expect(out.subject).toBe('Fırsat: <script>alert("x")</script> & Co');
      expect(out.text).toContain('Merhaba <script>alert("x")</script> & Co');
    });

    it('keeps a rendered subject on one line whatever the data', () => {
      const out = sut
        .compile(source({ subject: 'Merhaba {{firstName}}' }))
        .render(ctx({ data: { firstName: 'Ali\r\nBcc: kotu@example.com' } }));
      expect(out.subject).toBe('Merhaba Ali Bcc: kotu@example.com');
    });

    it('derives the text part from the HTML, keeping link URLs', () => {
      const out = sut.compile(source()).render(ctx());
      expect(out.text).toBe(`Merhaba Ayşe\n\nçık (${URL})`);
    });

    it('adds the unsubscribe footer to commercial mail whose HTML has no link, before </body>', () => {
      const t = sut.compile(source({ html: '<html><body><p>Yeni sezon</p></body></html>' }));
      const out = t.render(ctx());
      expect(out.html).toMatch(new RegExp(`abonelikten çıkabilirsiniz</a>\\.</div>\\n</body></html>$`));
      expect(out.html).toContain(`href="${URL}"`);
      expect(out.text).toContain(URL);
    });

    it('puts the footer right before </body> whatever Turkish text (İ, I, ı, i, Ş, Ğ) comes before it', () => {
      const footer = 'abonelikten çıkabilirsiniz</a>.</div>\n';
      const turkish = 'İndirimler İŞTE ĞÜŞİÖÇ ıIiİ';
      const cases: [TemplateSource, RenderContext][] = [
        [source({ layout: 'basic', subject: '{{firstName}} İndirimler', html: '<p>İİİ {{firstName}}</p>' }), ctx()],
        [
          source({ html: '<html><head><title>{{subject}} İİ</title></head><BODY><p>{{firstName}}</p></Body></HTML>' }),
          ctx({ data: { firstName: turkish, subject: 'İndirimler' } }),
        ],
        [
          source({ layout: 'basic', subject: '{{firstName}}', html: '<p>{{firstName}}</p>' }),
          ctx({ data: { firstName: turkish }, brandName: 'İŞTE Ğ Mağazası' }),
        ],
      ];
      for (const [s, c] of cases) {
        const html = sut.compile(s).render(c).html;
        expect(html).toMatch(new RegExp(`${footer}</body></html>$`, 'i'));
        expect(html).not.toMatch(/<<|\/body><\/html>[^]*<\/body>/i);
      }
      // With İ in both the name and the subject, the document itself is whole: one </body>, after the footer.
      const html = sut.compile(cases[2][0]).render(cases[2][1]).html;
      expect(html.split('</body>')).toHaveLength(2);
      expect(html).toContain('<title>İndirimler İŞTE ĞÜŞİÖÇ ıIiİ</title>');
    });

    it('adds no footer when the template places the link, and none to mail without an unsubscribe URL', () => {
      expect(sut.compile(source()).render(ctx()).html).not.toContain('abonelikten çıkabilirsiniz');
      const transactional = sut
        .compile(source({ html: '<p>Siparişiniz yolda</p>' }))
        .render(ctx({ unsubscribeUrl: null }));
      expect(transactional.html).toBe('<p>Siparişiniz yolda</p>');
      expect(transactional.text).toBe('Siparişiniz yolda');
    });

    it('adds the link to a given text part that lacks it', () => {
      const out = sut.compile(source({ text: 'Merhaba {{firstName}}' })).render(ctx());
      expect(out.text).toBe(
        `Merhaba Ayşe\n\n--\nBu e-posta Örnek tarafından gönderildi. Artık almak istemiyorsanız abonelikten çıkın: ${URL}`,
      );
    });

    it('renders the built-in partials in both parts', () => {
      const t = sut.compile(
        source({
          html: '{{> button href=link label=cta}} {{> unsubscribe}}',
          text: '{{> button href=link label=cta}} / {{> unsubscribe}}',
        }),
      );
      const out = t.render(ctx({ data: { link: 'https://ornek.com.tr/a?b=1&c=2', cta: 'Al & Git' } }));
      expect(out.html).toContain('href="https://ornek.com.tr/a?b&#x3D;1&amp;c&#x3D;2"');
      expect(out.html).toContain('>Al &amp; Git</a>');
      expect(out.html).toContain(`<a href="${URL}">Abonelikten çık</a>`);
      expect(out.text).toBe(`Al & Git: https://ornek.com.tr/a?b=1&c=2 / Abonelikten çık: ${URL}`);
    });

    it('wraps the content in the basic layout', () => {
      const out = sut
        .compile(source({ layout: 'basic', html: '<p>{{firstName}}</p>' }))
        .render(ctx({ brandName: 'Ö & K' }));
      expect(out.html).toMatch(/^<!DOCTYPE html>/);
      expect(out.html).toContain('<title>Merhaba Ayşe</title>');
      expect(out.html).toContain('>Ö &amp; K</td>');
      expect(out.html).toContain('<p>Ayşe</p>');
      // The footer goes inside the document, before </body>.
      expect(out.html.indexOf('abonelikten çıkabilirsiniz')).toBeLessThan(out.html.indexOf('</body>'));
    });

    it('offers default, each and if', () => {
      const t = sut.compile(
        source({
          html: '{{default firstName "Değerli müşterimiz"}}:{{#each items}}[{{this}}]{{/each}}{{#if vip}} VIP{{/if}}',
        }),
      );
      expect(t.render(ctx({ data: { items: ['a', 'b'], vip: true } })).html).toContain('Değerli müşterimiz:[a][b] VIP');
    });

    it('does not let data replace the app values', () => {
      const out = sut
        .compile(source({ html: '{{email}} {{unsubscribeUrl}}' }))
        .render(ctx({ data: { email: 'x@evil.example', unsubscribeUrl: 'https://evil.example' } }));
      expect(out.html).toContain('ayse@example.com');
      expect(out.html).not.toContain('evil');
    });

    it('does not reach prototype properties through data', () => {
      const out = sut
        .compile(source({ html: '[{{constructor.name}}][{{polluted}}]' }))
        .render(ctx({ data: JSON.parse('{"__proto__": {"polluted": 1}}') }));
      expect(out.html).toMatch(/^\[\]\[\]/);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('reports a failure at render time as a TemplateRenderError', () => {
      const t = sut.compile(source({ html: '{{#each items}}{{> button}}{{/each}}' }));
      expect(() => t.render(ctx({ data: { items: [1] } }))).not.toThrow();
      const deep = sut.compile(source({ html: '{{#with a}}{{#each b}}x{{/each}}{{/with}}' }));
      expect(() => deep.render(ctx({ data: { a: { b: 5 } } }))).not.toThrow();
      const broken = sut.compile(source({ html: '{{> kart}}{{#*inline "kart"}}{{> kart}}{{/inline}}' }));
      expect(() => broken.render(ctx())).toThrow(TemplateRenderError);
    });
  });

  describe('rendering limits', () => {
    /** Partials p0…p<depth>, each calling the one below `fanOut` times: depth + 1 levels of partial calls. */
    const nested = (depth: number, fanOut: number, leaf: string) => {
      let html = `{{#*inline "p0"}}${leaf}{{/inline}}`;
      for (let level = 1; level <= depth; level++)
        html += `{{#*inline "p${level}"}}${`{{> p${level - 1}}}`.repeat(fanOut)}{{/inline}}`;
      return `${html}{{> p${depth}}}`;
    };
    const renderError = (fn: () => unknown): TemplateRenderError => {
      try {
        fn();
      } catch (err) {
        if (err instanceof TemplateRenderError) return err;
        throw err;
      }
      throw new Error('rendered without an error');
    };

    it('refuses at compile time partials nested deeper than the limit, or expanding beyond the output cap', () => {
      expect(sut.check(source({ html: nested(MAX_PARTIAL_DEPTH - 1, 1, 'x') }))).toEqual([]);
      expect(sut.check(source({ html: nested(MAX_PARTIAL_DEPTH, 1, 'x') }))).toEqual([
        expect.objectContaining({ field: 'html', code: 'TEMPLATE_TOO_DEEP' }),
      ]);
      expect(sut.check(source({ html: nested(25, 2, 'x') }))[0]).toMatchObject({ code: 'TEMPLATE_TOO_DEEP' });
      // 4^9 copies of a 100-character line: 26 MB from a template of a few hundred bytes.
      expect(sut.check(source({ html: nested(9, 4, 'x'.repeat(100)) }))).toEqual([
        expect.objectContaining({ field: 'html', code: 'TEMPLATE_TOO_LARGE' }),
      ]);
      expect(() => sut.compile(source({ html: nested(9, 4, 'x'.repeat(100)) }))).toThrow(TemplateInvalidError);
      // A built-in partial counts as a level.
      expect(sut.check(source({ html: nested(MAX_PARTIAL_DEPTH - 2, 1, '{{> button}}') }))).toEqual([]);
      expect(sut.check(source({ html: nested(MAX_PARTIAL_DEPTH - 1, 1, '{{> button}}') }))[0]).toMatchObject({
        code: 'TEMPLATE_TOO_DEEP',
      });
    });

    it('stops output that grows with the data while rendering, long before it is built', () => {
      let html = '{{#*inline "q0"}}<p>{{@root.line}}</p>{{/inline}}';
      for (let level = 1; level <= 8; level++)
        html += `{{#*inline "q${level}"}}{{#each @root.two}}{{> q${level - 1}}}{{/each}}{{/inline}}`;
      const t = sut.compile(source({ html: `${html}{{> q8}}` }));
      expect(t.render(ctx({ data: { two: [0, 0], line: 'x' } })).html).toContain('<p>x</p>'.repeat(256));
      const err = renderError(() => t.render(ctx({ data: { two: [0, 0], line: 'x'.repeat(100_000) } })));
      expect(err).toMatchObject({ field: 'html', code: 'TEMPLATE_TOO_LARGE' });
      expect(err.message).toContain(String(MAX_RENDERED_LENGTH.html));
    });

    it('counts every value written, so repeating a large value is stopped too', () => {
      const t = sut.compile(source({ html: '{{v}}'.repeat(200) }));
      expect(renderError(() => t.render(ctx({ data: { v: '&'.repeat(10_000) } })))).toMatchObject({
        code: 'TEMPLATE_TOO_LARGE',
      });
      expect(t.render(ctx({ data: { v: 'ab' } })).html).toContain('ab'.repeat(200));
    });

    it('stops loops that write nothing after a bounded number of steps', () => {
      const t = sut.compile(
        source({
          html: '{{#each a}}{{#each @root.a}}{{#each @root.a}}{{#each @root.a}}{{/each}}{{/each}}{{/each}}{{/each}}',
        }),
      );
      const a = Array.from({ length: 1_000 }, () => 0);
      const t0 = Date.now();
      const err = renderError(() => t.render(ctx({ data: { a } })));
      expect(err).toMatchObject({ code: 'TEMPLATE_TOO_LARGE' });
      expect(err.message).toContain(String(MAX_RENDER_STEPS));
      expect(Date.now() - t0).toBeLessThan(2_000);
    });

    it('stops a partial that recurses deeper than the limit on the data', () => {
      const t = sut.compile(
        source({ html: '{{#*inline "n"}}[{{name}}{{#with child}}{{> n}}{{/with}}]{{/inline}}{{> n}}' }),
      );
      let tree: Record<string, unknown> = { name: 'z' };
      for (let i = 0; i < MAX_PARTIAL_DEPTH - 1; i++) tree = { name: String(i), child: tree };
      expect(t.render(ctx({ data: tree })).html).toContain('[8[7[6[5[4[3[2[1[0[z]]]]]]]]]]');
      expect(renderError(() => t.render(ctx({ data: { name: 'top', child: tree } })))).toMatchObject({
        field: 'html',
        code: 'TEMPLATE_TOO_DEEP',
      });
    });

    it('leaves values, escaping and helpers as they were', () => {
      const t = sut.compile(
        source({
          subject: '{{default firstName "Müşterimiz"}} {{#if vip}}VIP{{else}}-{{/if}}',
          html: '<p>{{firstName}} {{default nick "yok"}} {{#each items}}{{this}}:{{@index}} {{/each}}{{#with o}}{{k}}{{/with}}</p>',
        }),
      );
      const out = t.render(ctx({ data: { firstName: '<Ayşe>', items: ['a', 'b'], o: { k: 1 }, vip: false } }));
      expect(out.subject).toBe('<Ayşe> -');
      expect(out.html).toContain('<p>&lt;Ayşe&gt; yok a:0 b:1 1</p>');
    });
  });
});
