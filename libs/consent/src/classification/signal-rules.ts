/**
 * The signals the classifier looks for, as data, so that a person can audit and extend them.
 *
 * Every pattern reads folded text (see text-normalizer.ts): lower-case ASCII, Turkish letters folded (ç→c,
 * ğ→g, ı/İ→i, ö→o, ş→s, ü→u), single spaces, links and e-mail addresses removed. Write patterns that way:
 * "kampanya" matches "KAMPANYA", "Kampanyası" and "kampanyasi". `\w*` after a stem takes Turkish suffixes.
 *
 * Categories
 * - PROMOTIONAL: content that makes a message commercial (compliance.md §1: promotion, celebrations and
 *   wishes, satisfaction surveys, newsletters, cross-selling). One match is enough: mixed content is commercial.
 * - TRANSACTIONAL: evidence that a message is about an existing relationship (an order, a payment, an
 *   account…). Weighed: 2 = strong, 1 = weak. Without a declared purpose, only strong evidence (a total of 2 or
 *   more) and no promotional match make a message transactional.
 * - NEUTRAL: wording that looks promotional but is not: legally required or factual statements about a
 *   purchase already made ("iade ücretsizdir", "%20 KDV", "Kargo: Ücretsiz" in an order summary). Their text
 *   is blanked out before the promotional rules run, so it cannot escalate a message; it can never make a
 *   message transactional either.
 *
 * Every rule carries an example that it must match (checked by signal-rules.spec.ts).
 */

export type SignalCategory = 'PROMOTIONAL' | 'TRANSACTIONAL' | 'NEUTRAL';
export type SignalLanguage = 'tr' | 'en' | 'any';

export interface SignalRule {
  /** Stable id, recorded in every decision: never reuse an id for a different meaning. */
  readonly id: string;
  readonly category: SignalCategory;
  /** What the rule is about, in a word or two ("discount", "greeting", "order"). */
  readonly topic: string;
  readonly language: SignalLanguage;
  /** Matched against folded text; compiled with the global flag. */
  readonly pattern: RegExp;
  /** TRANSACTIONAL: 2 strong, 1 weak. PROMOTIONAL: always 1 (one is enough). NEUTRAL: 0. */
  readonly weight: 0 | 1 | 2;
  /** A realistic phrase the rule must match. */
  readonly example: string;
  /** Why the rule exists, when it is not obvious. */
  readonly note?: string;
}

const promotional = (
  id: string,
  topic: string,
  language: SignalLanguage,
  pattern: RegExp,
  example: string,
  note?: string,
): SignalRule => ({
  id: `promo.${id}`,
  category: 'PROMOTIONAL',
  topic,
  language,
  pattern,
  weight: 1,
  example,
  note,
});

const transactional = (
  id: string,
  topic: string,
  language: SignalLanguage,
  weight: 1 | 2,
  pattern: RegExp,
  example: string,
  note?: string,
): SignalRule => ({ id: `txn.${id}`, category: 'TRANSACTIONAL', topic, language, pattern, weight, example, note });

const neutral = (
  id: string,
  topic: string,
  language: SignalLanguage,
  pattern: RegExp,
  example: string,
  note: string,
): SignalRule => ({
  id: `neutral.${id}`,
  category: 'NEUTRAL',
  topic,
  language,
  pattern,
  weight: 0,
  example,
  note,
});

// A percentage written either way round: "%20", "% 20", "20%", "20 %", "%4,25".
const PERCENT = String.raw`(?:%\s?\d+(?:[.,]\d+)?|\b\d+(?:[.,]\d+)?\s?%)`;
// A percentage with a suffix attached ("%80'ini" folds to "%80ini"). Not `${PERCENT}\w*`: after "%\d+" the digits
// could be shared between \d+ and \w* in every way, quadratic on "%" and a long run of digits. A suffix that starts
// with a word character other than a digit matches the same texts.
const PERCENT_WITH_SUFFIX = String.raw`(?:%\s?\d+(?:[.,]\d+)?(?:[^\W\d]\w*)?|\b\d+(?:[.,]\d+)?\s?%\w*)`;
const TAXES_AND_RATES = String.raw`(?:kdv|otv|oiv|vat|tax|vergi\w*|faiz\w*|interest|apr|komisyon\w*|commission|bsmv|kkdf|stopaj\w*)`;

export const SIGNAL_RULES: readonly SignalRule[] = [
  // ───────────── NEUTRAL: looks promotional, is not ─────────────
  neutral(
    'free-returns.tr',
    'free returns',
    'tr',
    /\b(?:ucretsiz (?:iade|degisim|iptal|onarim|servis|tamir)\w*|iade(?:ler|niz)?(?: kargo(?:su|nuz)?)?(?: (?:ucreti|bedeli))? (?:ucretsiz\w*|bedava\w*|tarafimizca karsilan\w*)|(?:iade|degisim) (?:icin|islemlerinde) (?:kargo )?(?:ucret(?:i)? (?:alinmaz|odemezsiniz)|ucretsiz\w*)|kargo (?:ucreti|bedeli)(?:niz)? (?:iade edil|geri oden|tarafimizca|satici tarafindan|size iade)\w*)/,
    'İade kargosu ücretsizdir.',
    'Return terms are information the seller must give (distance-selling rules), not an offer.',
  ),
  neutral(
    'free-returns.en',
    'free returns',
    'en',
    /\b(?:free (?:returns?|exchanges?|cancellation|repairs?)|free of charge(?! for)|returns? (?:are|is) free|(?:cancel|return|exchange|change)\w*(?: \w+){0,3} (?:for free|at no (?:extra )?cost)|at no (?:extra |additional )?cost to you|without (?:any )?(?:charge|fee))\b/,
    'You can return it free of charge within 14 days.',
    'Return and cancellation terms of a purchase are legally required information.',
  ),
  neutral(
    'order-summary',
    'order summary line',
    'any',
    /\b(?:kargo|gonderim|teslimat|shipping|delivery|postage)(?: (?:ucreti|bedeli|fee|cost|charges?))?\s?[:|]\s?(?:ucretsiz|bedava|free|0(?:[.,]0+)?\s?(?:tl|try|usd|eur)?|[$€£]\s?0(?:[.,]0+)?)/,
    'Kargo ücreti: Ücretsiz',
    'A line of the summary of an order already placed states a fact; it offers nothing.',
  ),
  neutral(
    'applied-discount',
    'discount already applied',
    'any',
    /\b(?:(?:uygulanan|kullanilan|kullandiginiz|dusulen) (?:indirim|kupon|hediye ceki|kampanya)\w*(?: (?:kodu|tutari|indirimi))?|(?:indirim|kupon indirimi|kupon|hediye ceki|kampanya indirimi)(?: tutari)?(?: \([^)]{1,24}\))?\s?[:|]\s?-?\s?[\d.,]+\s?(?:tl|try)?|indirim(?:li)? (?:tutar|fiyat)\w* (?:uzerinden|dusul)\w*|indirim tutari\w*|(?:discount|coupon|promo code|voucher)(?: applied)?(?: \([^)]{1,24}\))?\s?[:|]\s?-?\s?[$€£]?\s?[\d.,]+|(?:discount|coupon|promo code) (?:applied|amount|used))/,
    'Kupon indirimi (YAZ20): -40,00 TL',
    'The price breakdown of a completed purchase, including discounts it received, is part of the purchase notice.',
  ),
  neutral(
    'campaign-terms',
    'terms of a campaign already used',
    'any',
    /\b(?:kampanya (?:kosul|kural|sart)\w*|kampanyali urun\w*(?: \w+){0,4} (?:iade|degisim)\w*|(?:campaign|promotion(?:al)?|offer) (?:terms|rules|conditions))/,
    'Satın aldığınız üründe geçerli kampanya koşulları gereği',
    'Decision: a reference to the terms under which an item was already bought (for instance in a return or ' +
      'refund notice) is legal information about that purchase, not an invitation to a new one. Any actual ' +
      'offer in the same message still matches its own rule.',
  ),
  neutral(
    'tax-or-rate',
    'tax or interest percentage',
    'any',
    new RegExp(
      String.raw`(?:\b(?:${TAXES_AND_RATES}|oran\w*|rates?|asgari\w*)\b[^.%]{0,24}?${PERCENT}|${PERCENT_WITH_SUFFIX}\s?${TAXES_AND_RATES}\b)`,
    ),
    '%20 KDV dahil',
    'VAT, interest and fee percentages in an invoice, statement or contract are legally required figures.',
  ),
  neutral(
    'fabric',
    'fabric content',
    'any',
    new RegExp(
      String.raw`${PERCENT}\s?(?:pamuk|cotton|polyester|yun|wool|keten|linen|viskon|viscose|elastan|elastane|ipek|silk|deri|leather|kasmir|cashmere|akrilik|acrylic|naylon|nylon|modal|likra|lycra|organik)\w*`,
    ),
    'Basic Tişört %100 Pamuk',
    'Product descriptions in an order summary carry percentages that are not discounts.',
  ),
  neutral(
    'usage-percent',
    'usage percentage',
    'any',
    new RegExp(
      String.raw`(?:${PERCENT_WITH_SUFFIX}\s?(?:kullan|tuket|doldu|dolmus|tamamlan)\w*|\b\d+\s?% of your (?:\w+ )?(?:data|plan|allowance|quota|storage|limit|balance)|(?:paketinizin|kotanizin|limitinizin|depolama alaninizin|internetinizin)\s?${PERCENT})`,
    ),
    "Paketinizin %80'ini kullandınız.",
    'Usage notices of a subscription report percentages of an allowance.',
  ),
  neutral(
    'gift-payment',
    'gift wrap or gift card payment',
    'any',
    /\b(?:(?:gift (?:message|note)|hediye not(?:u|unuz))\s?:?\s?(?:"[^"]{0,160}"|'[^']{0,160}')|hediye (?:paket\w*|not\w*|kart\w* (?:bakiye|ile|kullan)\w*|ceki ile)|hediye kart(?:i|iniz)? bakiye\w*|gift (?:wrap\w*|message|note|receipt)|gift card (?:balance|was used|payment|number)|(?:paid|pay) (?:with|by|using) (?:a |your )?gift card)/,
    'Hediye kartı bakiyeniz korunmaktadır.',
    'Gift wrapping chosen for an order, paying with a gift card, or the customer’s own gift note quoted back ' +
      '("Happy birthday, Mum!") is part of the purchase; the shop greets nobody.',
  ),
  neutral(
    'missed-chance',
    '"fırsat" meaning "chance"',
    'tr',
    /\b(?:firsat(?:i|ini|imiz)? (?:bulamadik|bulamamis\w*|olmadi)|(?:ulasma|gorusme|yardimci olma|hizmet verme|teslim etme) firsati\w*)/,
    'Size ulaşma fırsatı bulamadık.',
    '"Fırsat" also means a plain chance or opportunity, as in a missed delivery.',
  ),
  neutral(
    'price-change',
    'price change of a contract',
    'any',
    new RegExp(
      String.raw`(?:\b(?:rise|rises|increase[sd]?|go(?:es)? up|artis|artacak|artirilacak|yukselecek|zam)\w*(?: \w+){0,3} (?:by )?${PERCENT}|${PERCENT_WITH_SUFFIX} (?:artis|zam|increase|rise|enflasyon|inflation)\w*)`,
    ),
    'your monthly price will rise by 4.5%',
    'A price rise announced under an existing contract is a notice the provider must give.',
  ),
  neutral(
    'price-protection',
    'price difference refunded',
    'any',
    /\bfiyat\w* dus(?:tugu|mesi|tu)\w*(?: \w+){0,6} (?:fark\w*|iade\w*)|\bprice (?:difference|adjustment)\w*(?: \w+){0,4} (?:refund\w*|credit\w*)/,
    'ürünün fiyatı düştüğü için aradaki fark iade edilmiştir',
    'Refunding the difference after a price drop settles a purchase already made.',
  ),
  neutral(
    'salary-promotion',
    'payroll promotion payment',
    'tr',
    /\bmaas promosyon\w*/,
    'Maaş promosyonu ödemeniz hesabınıza yatırılmıştır.',
    '"Maaş promosyonu" is a payment due under an employer–bank payroll agreement, not an advertisement.',
  ),
  neutral(
    'trial-status',
    'trial already started',
    'any',
    /\b(?:(?:free )?trial(?: period)? (?:ends|will end|expires|is ending|ended|has ended)|ucretsiz deneme (?:sureniz|suresi|doneminiz|donemi)\w*)/,
    'Your free trial ends on 5 April.',
    'Telling a customer when the trial they started ends, before the first charge, is a subscription notice.',
  ),
  neutral(
    'subscription-confirmation',
    'newsletter opt-in or opt-out confirmation',
    'any',
    /\b(?:(?:kampanya|tanitim|pazarlama|reklam)\w* (?:e-?posta|mesaj|ileti|bildirim|sms|arama)\w* (?:almayacak|gonderilmeyecek|durdurul)\w*|no longer (?:receive|get) (?:marketing|promotional) (?:emails?|messages?|texts?)|(?:e-?bulten|bulten|newsletter)\w* (?:aboneliginizi onayla\w*|aboneliginiz(?:den)? (?:sonlandir|iptal|cik)\w*|(?:listemizden|listesinden) (?:cikar|cik)\w*|cikis yap\w*|ayril\w*)|aboneliginizden cikar\w*|(?:confirm|verify) your (?:newsletter )?subscription|unsubscribed from (?:our |the )?(?:newsletter|mailing list|emails?)|(?:removed|unsubscribed) from (?:our|the) (?:mailing )?list)/,
    'E-bülten listemizden çıkarıldınız.',
    'Confirming a subscription the recipient asked for, or the end of one, answers the recipient; it promotes nothing.',
  ),

  // ───────────── PROMOTIONAL ─────────────
  promotional('discount.tr', 'discount', 'tr', /\bindirim\w*/, 'Tüm ürünlerde indirim!'),
  promotional(
    'discount.en',
    'discount',
    'en',
    /\b(?:discount(?:s|ed)?\b|(?:\d+\s?%|[$€£]\s?\d+|\d+\s?(?:tl|usd|eur))\s?off\b|save (?:up to|\d|big|more|on)|(?:big|huge|extra) savings|bargains?\b)/,
    'Save up to 40% this weekend',
  ),
  promotional(
    'percent',
    'discount percentage',
    'any',
    new RegExp(`${PERCENT}|\\byuzde\\s?\\d+|\\bpercent off`),
    "%50'ye varan",
  ),
  promotional(
    'sale.tr',
    'sale',
    'tr',
    /\b(?:efsane (?:cuma|kasim|gun\w*|indirim\w*)|sezon sonu|outlet\w*|yari fiyat\w*|super fiyat\w*|fiyat(?:lar)?(?:i)? dus\w*|dev firsat\w*|\d+ al \d+ ode|ikincisi (?:bedava|yari|\d+)|sepette\b|ucuz\w*|kelepir\w*|uygun fiyat\w*)/,
    'Sezon sonu fiyatları mağazalarda',
  ),
  promotional(
    'sale.en',
    'sale',
    'en',
    /\b(?:on sale|sale (?:ends|starts|is on|now on|of the)|(?:summer|winter|spring|autumn|fall|end of season|clearance|flash|big|annual|holiday|mega|warehouse|semi-annual|friends and family) sale|sales? event|black friday|cyber monday|price drop|prices? (?:slashed|cut)|half price|buy one,? get one|bogo|deal of the (?:day|week)|(?:great|best|hot|daily|top|exclusive) deals?|deals? (?:end|of the))\b/,
    'Our summer sale starts now',
  ),
  promotional('campaign.tr', 'campaign', 'tr', /\b(?:kampanya\w*|promosyon\w*)/, 'Bu hafta ayakkabılarda kampanya var'),
  promotional(
    'campaign.en',
    'campaign',
    'en',
    /\b(?:campaigns?|promotions?|promos?|promotional)\b/,
    'Our spring promotion is here',
  ),
  promotional(
    'coupon',
    'coupon code',
    'any',
    /\b(?:kupon\w*|indirim kod\w*|promosyon kod\w*|hediye cek\w*|coupons?\b|vouchers? codes?\b|promo codes?\b|discount codes?\b|use (?:the )?code [a-z]{2,}\w*)/,
    'Bir sonraki alışverişinizde geçerli kupon kodunuz: TESEKKUR15',
    'Numeric codes ("use code 482913") are one-time passwords, not coupons, so a code must start with letters.',
  ),
  promotional(
    'offer.tr',
    'offer',
    'tr',
    /\b(?:firsat\w*|(?:ozel|size ozel|sana ozel|avantajli|cazip) (?:teklif|fiyat|indirim|avantaj|ayricalik|kampanya|firsat)\w*|avantaj(?:lar)?(?:i|ini)? kacir\w*|ayricalik\w*|avantajli\w*)/,
    'Size özel fırsatları kaçırmayın',
  ),
  promotional(
    'offer.en',
    'offer',
    'en',
    /\b(?:(?:special|exclusive|limited[- ]time|best|great|amazing|personal(?:i[sz]ed)?|todays|weekend|holiday|seasonal|introductory|member|vip) offers?|offers? (?:ends?|expires?|valid|inside|just for you)|just for you|exclusive (?:access|preview|for you|to members)|members?[- ]only|early access)\b/,
    'An exclusive offer just for you',
  ),
  promotional(
    'free-shipping',
    'free shipping',
    'any',
    /\b(?:ucretsiz (?:kargo|teslimat|gonderi\w*)|kargo(?:su)? (?:bedava|ucretsiz\w*)|bedava kargo|free (?:shipping|delivery|postage)|ships? free)\b/,
    '150 TL üzeri ücretsiz kargo',
  ),
  promotional('gift.tr', 'gift', 'tr', /\bhediye\w*/, 'Her siparişe sürpriz hediye'),
  promotional('gift.en', 'gift', 'en', /\b(?:gifts?|freebies?)\b/, 'A free gift with every order'),
  promotional(
    'freebie',
    'something free',
    'any',
    /\b(?:bedava\w*|ucretsiz (?:deneme|dene|uyelik|kahve|ders|danismanlik|internet|dakika|sms|gb|ilk)\w*|(?:ilk|\d+) (?:ay|hafta|gun)\w* ucretsiz\w*|free (?:trial|months?|upgrade|coffee|samples?|access|for \d+|for a|for one|for the first|of charge for)|(?:\d+|a|one|two|three|four|six|twelve) (?:months?|weeks?) (?:free|for free|on us)\b|(?:is|are) on us\b|on the house|try (?:it )?(?:for )?free|for free\b)/,
    'İlk ay ücretsiz deneyin',
  ),
  promotional(
    'cross-sell.tr',
    'cross-selling',
    'tr',
    /\b(?:bunlar(?:i)? da (?:ilginizi|begen|sev)\w*|ilginizi cek\w*|benzer urun\w*|tamamlayici urun\w*|birlikte (?:alin\w*|satin al\w*|iyi gider\w*)|sizin icin sec\w*|onerilen urun\w*|(?:size|sana) ozel oneri\w*|bunu alanlar|kombin\w*|onerilerimiz\w*|(?:en )?cok satan\w*)/,
    'Bunlar da ilginizi çekebilir',
  ),
  promotional(
    'cross-sell.en',
    'cross-selling',
    'en',
    /\b(?:you (?:may|might) also (?:like|love|enjoy)|recommended (?:for you|products|items)|(?:customers|shoppers|people) (?:also|who) (?:bought|viewed|liked)|frequently bought together|complete (?:the|your) look|picked for you|inspired by your|based on your (?:browsing|history|wishlist)|best ?sellers?|top picks|trending now|more to (?:love|explore))\b/,
    'You may also like',
  ),
  promotional(
    'abandoned-cart',
    'abandoned cart',
    'any',
    /\b(?:sepet(?:iniz|inizde|inizdeki) (?:urun\w* )?(?:unut|bekl|kal|tuken|dolu)\w*|sepetinizi tamamla\w*|alisverisinizi tamamla\w*|left (?:something|items?|it) (?:in|behind in) your (?:cart|basket|bag)|your (?:cart|basket|bag) (?:is waiting|misses you|is about to expire)|still thinking (?:it over|about)|forgot something)/,
    'Sepetinizde unuttuğunuz ürünler var',
    'A reminder of a purchase that never happened is marketing, not a purchase notice.',
  ),
  promotional(
    'newsletter',
    'newsletter',
    'any',
    /\b(?:e-?bulten\w*|bulten\w*|newsletters?\b|haftalik (?:ozet|secki)\w*|aylik (?:bulten|secki)\w*|weekly (?:digest|roundup|picks)|monthly (?:digest|roundup)|this (?:week|month)s (?:picks|stories|highlights)|blog(?:umuz|umuzdan|umuzda|da|dan)?\b|on the blog|from the blog)/,
    'Mart bültenimiz yayında',
  ),
  promotional(
    'greeting.tr',
    'celebration or wish',
    'tr',
    /\b(?:iyi bayramlar\w*|bayram\w* (?:kutlu|mubarek|kutlar)\w*|kutlu olsun|kutlar(?:iz|im)\b|kutluyor\w*|mutlu yillar\w*|yeni yil\w* (?:kutlu|mutlu|saglik)\w*|nice (?:mutlu |saglikli )?(?:yillar|bayramlar)\w*|iyi ki dogdu\w*|iyi ki var\w*|dogum gun\w* (?:kutlu|mutlu|ozel)\w*|(?:anneler|babalar|sevgililer|kadinlar|ogretmenler|cocuk) gun\w* (?:kutlu|ozel)\w*|hayirli (?:ramazan|bayram|cuma|kandil)\w*|kandil\w* mubarek\w*|ramazan\w* (?:hayirli|mubarek)\w*|(?:saglik|mutluluk|huzur)(?:,| ve| dolu)(?: \w+){0,3} (?:yil|bayram|gun)\w* dile\w*)/,
    'Kurban Bayramınız kutlu olsun',
    'Celebrations, congratulations and wishes (kutlama, tebrik, temenni) are commercial (compliance.md §1). ' +
      'A plain mention of a holiday ("bayram tatili nedeniyle") is not a wish and does not match.',
  ),
  promotional(
    'greeting.en',
    'celebration or wish',
    'en',
    /\b(?:happy (?:new year|holidays|birthday|easter|eid|ramadan|thanksgiving|diwali|hanukkah|mothers day|fathers day|valentines day|anniversary|womens day|teachers'? day)|merry christmas|seasons greetings|eid mubarak|ramadan kareem|wishing you (?:a|and|all)|warm(?:est)? (?:wishes|greetings))\b/,
    'Happy New Year from all of us',
  ),
  promotional(
    'survey.tr',
    'satisfaction survey',
    'tr',
    /\b(?:memnuniyet (?:anket|arastirma|olcum)\w*|anket\w*|memnun kal(?:diniz|dig)\w*|degerlendir(?:in|iniz|ir misiniz|mek ister misiniz|menizi|meniz)\b|puanla(?:yin|r misiniz|yabilir\w*)|puan ver(?:in|ir misiniz|ebilir\w*)|yildiz ver\w*|deneyim\w* (?:paylas|degerlendir|puanla|anlat)\w*|tavsiye eder mi\w*|onerir mi\w*|gorus(?:ler)?(?:iniz|inizi) (?:bizim icin|paylas|ogren|almak)\w*|geri bildirim\w* (?:bekli|paylas|rica|ver)\w*|yorum (?:yap|yaz|birak)\w*)/,
    'Memnuniyet anketimize katılır mısınız?',
    'Satisfaction surveys need consent (compliance.md §1). "Başvurunuz değerlendirilmektedir" (being reviewed) does not match.',
  ),
  promotional(
    'survey.en',
    'satisfaction survey',
    'en',
    /\b(?:surveys?|questionnaires?|rate (?:your|us|our) ?(?:\w+ )?(?:experience|order|purchase|delivery|stay|flight|visit|service|product|app|call|driver|support)?|how (?:did we do|was your|would you rate|likely are you)|tell us (?:what you think|about your|how we did)|(?:leave|write) (?:a|us a) review|review your (?:purchase|order|recent)|share your (?:feedback|thoughts|experience)|your (?:feedback|opinion) (?:matters|is important|helps)|net promoter|would you recommend)\b/,
    'Rate your experience with us',
  ),
  promotional(
    'brand.tr',
    'brand awareness',
    'tr',
    /\b(?:yeni (?:koleksiyon|sezon|urun|magaza|sube|lezzet|menu|model|seri|tasarim)\w*|(?:magazamiz|subemiz|restoranimiz)\w* (?:acildi|hizmetinizde)\w*|tanitmaktan (?:mutlu|gurur)\w*|tanistirmak\w*|simdi (?:magazalarda|satista|raflarda)|kesfe[dt]\w*|kesfetme\w*|dunyasina (?:davet|hos)\w*)/,
    'Yeni koleksiyonu keşfedin',
  ),
  promotional(
    'brand.en',
    'brand awareness',
    'en',
    /\b(?:new (?:collection|arrivals?|season|store|menu|flavou?rs?|range|line|drop)|just (?:launched|landed|dropped|arrived)|introducing|meet (?:the|our) new|now in stores|grand opening|discover (?:our|the|new|more|what)|explore (?:our|the|new)|sneak peek|coming soon|be the first to)\b/,
    'Discover our new collection',
  ),
  promotional(
    'urgency',
    'urgency',
    'any',
    /\b(?:acele edin|tukenmeden|stok(?:lar)?(?:la)? sinirli\w*|sinirli (?:sure|sayida|stok)\w*|sadece (?:bugun|bu (?:ay|hafta|hafta ?sonu|aksam))\w*|(?:bugune|bu aya|bu haftaya) ozel|(?:hafta ?sonuna|bu aksama|gece yarisina) ozel\w*|son firsat\w*|hurry|while (?:stocks|supplies) last|limited[- ](?:time|stock|edition|quantities)|ends (?:tonight|today|soon|midnight|this weekend)|today only|(?:last|final) (?:chance|days?|hours?) to (?:save|shop|buy|get|grab|enjoy))\b/,
    'Stoklarla sınırlı, acele edin!',
  ),
  promotional(
    'loyalty',
    'points, prizes and referrals',
    'any',
    /\b(?:\d+ ?(?:kat|kati|x) (?:puan|mil|bonus|chip-?para|para ?puan|worldpuan|maxipuan)|(?:puan|mil|bonus|para ?puan|chip-?para|maxipuan|worldpuan|nakit iade) kazan(?:in|mak|ma|abilir\w*|ma firsati)\b|kazanma (?:firsati|sansi)\w*|kazanin\b|cekilis\w*|yarisma\w*|cashback|earn (?:double|triple|\d+x|bonus|extra|up to) (?:points|miles)|(?:double|triple|bonus) (?:points|miles)|sweepstakes?|giveaway|win (?:a|an|one of)\b|refer a friend|arkadasini (?:davet|getir)\w*|davet et,? kazan\w*)/,
    '3 kat ParaPuan kazanın',
    'Telling a customer the points an order already earned ("120 puan kazandınız") is account information and does not match.',
  ),
  promotional(
    'upsell',
    'upgrade or credit offer',
    'any',
    /\b(?:paket(?:inizi|ini)? (?:yukselt|buyut)\w*|(?:ek|ekstra) (?:paket|internet|gb)\w* (?:firsat|hediye|tanimla|al)\w*|(?:ek|ekstra) \d+ ?(?:gb|dk|dakika|sms)\w*|\d+ ?gb (?:hediye|bedava|ekstra)|(?:ozel|avantajli|dusuk) faiz\w*|faizsiz\w*|on onayli\w*|limit(?:iniz|inizi)? (?:art|yuksel)\w*(?:ilebilir|mak ister\w*|mak icin)|hemen basvur\w*|(?:taksit|vade) (?:firsati|imkani|avantaji)\w*|ek taksit\w*|\+ ?\d+ taksit|pesin fiyatina\w*|vade farksiz\w*|upgrade (?:now|today|to|your (?:plan|seat|room|subscription|package))|switch to (?:annual|yearly) (?:billing|plan)|pre-?approved|apply (?:now|today)|switch (?:to us|and save))\b/,
    'Paketinizi yükseltin, 10 GB hediye',
  ),
  promotional(
    'call-to-action',
    'shopping call to action',
    'any',
    /\b(?:hemen (?:al|satin al|incele|kesfet|alisveris|siparis ver|indir|yararlan|katil|basvur)\w*|alisverise (?:basla|devam)\w*|simdi (?:al|alisveris|satin al|incele|yararlan)\w*|firsatlari gor\w*|urunleri (?:incele|gor|kesfet)\w*|shop (?:now|the (?:sale|collection|look)|our)|buy (?:now|today)|order (?:now|today)|grab (?:yours|it|them)|book (?:now|today|your next)|reserve (?:now|today)|sepete ekle\w*|add to (?:cart|bag|basket)|get yours)\b/,
    'Hemen alışverişe başlayın',
  ),
  promotional(
    'price',
    'advertised price',
    'any',
    /\b(?:\d+(?:[.,]\d+)? ?(?:tl|try|usd|eur)? ?(?:ve )?(?:uzeri|ustu) (?:alisveris|siparis|harcama)\w*|tum (?:urunlerde|siparislerde|alisverislerde|kategorilerde|magazalarda)|(?:sadece|yalnizca|yalniz) \d+(?:[.,]\d+)? ?(?:tl|try)|\d+(?:[.,]\d+)? ?tl'?(?:den|dan) baslayan\w*|(?:baslayan|inanilmaz|ozel|kampanyali) fiyat\w*|(?:starting|from) (?:at )?(?:just |only )?[$€£]\s?\d+|(?:only|just) [$€£]\s?\d+)/,
    '1.000 TL ve üzeri harcamalarınıza',
  ),
  promotional(
    'seasonal',
    'seasonal sale',
    'any',
    /\b(?:yilbasi (?:indirim|hediye|ozel|alisveris|firsat|kampanya|sepet)\w*|(?:anneler|babalar|sevgililer|kadinlar|ogretmenler) gunu(?:ne|nuz)? (?:ozel|kutlu|hediye)\w*|bayram(?:a|iniza)? ozel\w*|okula donus\w*|back to school|valentines?\b|11\.11|singles'? day|boxing day)/,
    "Anneler Günü'ne özel seçki",
  ),

  // ───────────── TRANSACTIONAL ─────────────
  transactional(
    'order.tr',
    'order',
    'tr',
    2,
    /\bsiparis(?:iniz|inizi|inizin|inize|inizde|ler(?:iniz)?\w*|\s?(?:no|numara\w*|kod\w*|ozet\w*|detay\w*|onay\w*|tarihi|tutari|durum\w*))\b/,
    'Siparişiniz alındı',
  ),
  transactional(
    'order.en',
    'order',
    'en',
    2,
    /\b(?:your (?:order|purchase)\b|order (?:number|no\b|#|id\b|confirmation|confirmed|details|summary|status|has\b|was\b|is\b|total|reference)|we(?:ve| have)? received your order|thanks? (?:you )?for your (?:order|purchase))/,
    'Your order #4411 has shipped',
  ),
  transactional(
    'shipping.tr',
    'delivery',
    'tr',
    2,
    /\b(?:kargo(?:nuz|nuzu|nuzun|ya (?:verildi|verilmis|teslim)\w*|\s?takip\w*|\s?firmasi\w*)|gonderi(?:niz|nizin|nizi)\w*|paketiniz\w*|teslim (?:edil|alin|edemedik|edilemedi)\w*|teslimat(?:iniz|inizin|\s(?:adres|tarih|bilgi|durum|saat)\w*)|dagitim(?:a cikti| subesinde)\w*|kurye\w*|takip (?:no|numara|kod)\w*)/,
    'Kargonuz yola çıktı',
  ),
  transactional(
    'shipping.en',
    'delivery',
    'en',
    2,
    /\b(?:(?:has|have|was|were) (?:been )?(?:shipped|dispatched|delivered)|shipping (?:confirmation|update|notification)|out for delivery|delivery (?:attempt|update|date|address|window|status)|tracking (?:number|code|link|info\w*)|track your (?:order|package|parcel|shipment)|your (?:package|parcel|shipment|delivery))\b/,
    'Your parcel is out for delivery',
  ),
  transactional(
    'payment.tr',
    'payment',
    'tr',
    2,
    /\b(?:odeme(?:niz|nizin|nizi)\w*|odeme(?:si)? (?:alindi|alinmistir|basari\w*|gerceklesti\w*|onay\w*|tutari|talimat\w*|hatirlat\w*|bilgi\w*|yapildi\w*|reddedildi|basarisiz\w*)|tahsil (?:edil|edilmis|edilecek)\w*|tahsilat\w*|makbuz\w*|dekont\w*|(?:hesabinizdan|kartinizdan) [\d.,]+|harcama(?:niz|nizin)\w*|harcama yapil\w*|islem tutari\w*|otomatik odeme\w*|havale\w*|eft\b)/,
    'Ödemeniz alınmıştır',
  ),
  transactional(
    'payment.en',
    'payment',
    'en',
    2,
    /\b(?:payment (?:received|confirmed|successful|failed|declined|of|is due|due|reminder|method|confirmation|processed)|we (?:received|charged|have charged)|has been charged|was charged|receipt|transaction (?:of|alert|amount))\b/,
    'Payment received, thank you',
  ),
  transactional(
    'invoice',
    'invoice',
    'any',
    2,
    /\b(?:fatura(?:niz|nizi|nizin|lar(?:iniz)?|\s(?:no|numara|tarih|tutar|donem|detay|ekte|olustur|kesil|bilgi|adres)\w*)\w*|e-?fatura\w*|e-?arsiv\w*|invoices?\b|billing (?:statement|period|details)|your bill\b)/,
    'Mart dönemi faturanız oluşturuldu',
  ),
  transactional(
    'debt',
    'statement or debt',
    'any',
    2,
    /\b(?:hesap ozet\w*|ekstre\w*|son odeme (?:tarih|gun)\w*|asgari (?:odeme|tutar)\w*|borc\w*|gecikme (?:faiz|bedel|ucret)\w*|vadesi (?:gecmis|gelen|dolan|gelmis)\w*|odenmemis\w*|yasal takip\w*|statement (?:is ready|is available|balance)|amount due|due date|overdue|outstanding (?:balance|amount)|minimum payment|past due)\b/,
    'Son ödeme tarihi 12 Mart',
  ),
  transactional(
    'security.tr',
    'account security',
    'tr',
    2,
    /\b(?:sifre(?:niz|nizi|nizin)?\s?(?:sifirla|yenile|degis|olustur)\w*|sifreniz\w*|(?:dogrulama|onay|guvenlik|giris|aktivasyon) kod\w*|tek kullanimlik\w*|otp\b|giris (?:yapildi|denemesi|bildirim\w*|yaptiniz)|oturum ac\w*|yeni (?:bir )?cihaz\w*|supheli (?:islem|giris|hareket)\w*|hesabiniza (?:giris|erisim|baglan)\w*|kimseyle paylasmayin\w*|iki asamali\w*|(?:e-?posta adresinizi|hesabinizi) dogrula\w*|guvenlik (?:uyari|bildirim)\w*)/,
    'Doğrulama kodunuz: 482913',
  ),
  transactional(
    'security.en',
    'account security',
    'en',
    2,
    /\b(?:reset (?:your )?password|password (?:reset|change|changed)|password (?:was|has been) (?:reset|changed|updated)|verification code|security code|one-?time (?:code|password|passcode|pin)|(?:login|sign-?in) (?:code|attempt|alert|from)|new (?:sign-?in|login|device)|two-factor|2fa|verify your (?:email|account|identity|phone)|confirm your (?:email|account|identity)|security alert|unusual (?:activity|sign-?in)|do not share this code)\b/,
    'Reset your password',
  ),
  transactional(
    'membership',
    'membership or subscription',
    'any',
    2,
    /\b(?:uyelig(?:iniz|inizi|inizin)\w*|abonelig(?:iniz|inizi|inizin)\w*|(?:abonelik|uyelik) (?:yenile|iptal|sona|bitis|ucret|aidat)\w*|hesabiniz (?:olusturul|acil|kapat|guncellen|askiya|dondurul)\w*|your (?:account|membership|subscription|plan) (?:has been|was|is|will)\b|subscription (?:renewed|renewal|will renew|cancel\w*|expires|expired|confirmation)|membership (?:renewal|expires|expired|number|card))/,
    'Aboneliğiniz yenilendi',
  ),
  transactional(
    'travel',
    'booking or travel',
    'any',
    2,
    /\b(?:rezervasyon(?:unuz|unuzu|unuzun|\s?(?:no|numara|kod|onay|detay|bilgi)\w*)\w*|pnr\b|bilet(?:iniz|inizi|inizin|\s?no)\w*|ucus(?:unuz|unuzun|\s(?:saat|bilgi|degisik|iptal|no|numara|kapi|rotar)\w*)\w*|check-?in\b|binis kart\w*|kapi (?:degisik|numara)\w*|sefer(?:iniz|inizin)\w*|booking (?:confirmation|reference|confirmed|details|number)|your (?:booking|reservation|flight|ticket|itinerary|stay)\b|boarding pass|gate (?:change|number)|flight (?:status|delay\w*|cancel\w*|change\w*|schedule|number|details)|e-?ticket)/,
    'Uçuşunuzun kapı numarası değişti',
  ),
  transactional(
    'appointment',
    'appointment',
    'any',
    2,
    /\b(?:randevu(?:nuz|nuzu|nuzun|nuza|\s(?:tarih|saat|bilgi|hatirlat|onay|kod|iptal)\w*)\w*|your appointment|appointment (?:confirmed|confirmation|reminder|scheduled|cancel\w*|time|date))\b/,
    'Randevunuz 14 Mart 10:30',
  ),
  transactional(
    'refund',
    'refund, return or cancellation',
    'any',
    2,
    /\b(?:iade (?:talebiniz|talebi|isleminiz|islemi|tutari|kodu|sureci|edildi|edilmistir|edilecek|onay|kargo kodu|bedeli)\w*|iadeniz\w*|degisim talebi\w*|iptal (?:talebiniz|edildi|edilmistir|isleminiz|onay)\w*|your (?:refund|return|cancellation)\b|refund (?:has been|was|of|processed|issued|request)|return (?:request|label|received|authori[sz]ed|window)|cancellation (?:confirmed|confirmation|request))/,
    'İade talebiniz onaylandı',
  ),
  transactional(
    'service-notice',
    'service or legal notice',
    'any',
    2,
    /\b(?:planli (?:bakim|calisma)\w*|bakim calisma\w*|kesinti(?!siz)\w*|aksaklik\w*|tarife(?:niz|nizde)?\s?degisik\w*|sozlesme(?:niz|nizde|si)?\s?(?:degisik|guncel|yenilen|feshi|fesih|sona)\w*|kullanim kosullari\w* (?:degis|guncel)\w*|gizlilik (?:politika|bildirim)\w* (?:degis|guncel)\w*|kisisel verilerin korunmasi\w*|yasal (?:bilgilendirme|zorunluluk)\w*|mevzuat geregi|(?:kanun|yonetmelik|mevzuat)\w* (?:geregi|kapsaminda|uyarinca)|cayma hakk\w*|mesafeli satis sozlesme\w*|on bilgilendirme formu|garanti (?:belgeniz|belgesi|sureniz|suresi|kapsamindaki|kapsaminda)\w*|scheduled maintenance|planned (?:maintenance|outage)|service (?:outage|interruption|disruption)|(?:changes|updates?) to (?:our|your) (?:terms|privacy|agreement|contract|plan|tariff)|required by law|legal notice|right of withdrawal|right to cancel|withdrawal period)\b/,
    'Cayma hakkınızı 14 gün içinde kullanabilirsiniz',
  ),
  transactional(
    'usage',
    'usage and balance',
    'any',
    2,
    /\b(?:paket(?:inizin|iniz) (?:\d|%|bitmek|sona|tukendi|yenilendi|kullanim)\w*|kullanim (?:limit|bilgi|detay|ozet)\w*|kota(?:niz|nizin)\w*|kalan (?:kullanim|bakiye|hak|dakika|sms|internet)\w*|bakiye(?:niz|nizin|nizde)\w*|youve used|data (?:usage|allowance)|(?:remaining|current|available) balance|balance (?:is|of|remaining))\b/,
    'Kalan kullanım hakkınız 2 GB',
  ),
  transactional(
    'info-update',
    'information update',
    'any',
    2,
    /\b(?:bilgi(?:leriniz|lerinizi) (?:guncelle|dogrula|eksik)\w*|(?:adres|iletisim|e-?posta|telefon)\w* (?:bilgi\w* )?(?:guncelle|degisik|dogrula)\w*|update your (?:details|information|address|contact|payment (?:method|details))|(?:email|address|phone number) (?:was|has been) (?:changed|updated))\b/,
    'İletişim bilgilerinizi güncelleyin',
  ),
  transactional(
    'courtesy',
    'addressing a customer',
    'any',
    1,
    /\b(?:sayin\b|degerli (?:musteri|uye)\w*|bilgilendirme\w*|bilginize|bilgilerinize|musteri (?:numara|no)\w*|hesabiniz\w*|hesap numara\w*|dear (?:customer|member|guest|passenger)|your account|account (?:number|holder)|for your information|please note|kvkk|aydinlatma metni\w*|reference (?:number|no))\b/,
    'Sayın müşterimiz, bilginize sunarız',
    'Weak: promotions address customers the same way.',
  ),
];
