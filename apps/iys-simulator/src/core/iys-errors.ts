// The İYS error model (iys-api.md §9): data endpoints answer `{ "errors": [ { code, message, location?, value?,
// index? } ] }`; the token endpoint answers OAuth's `{ error, error_description }`. The HTTP status belongs to
// the code, so it is looked up here and never chosen at the throw site. Messages are the simulator's own Turkish
// wording of each code's meaning; clients must branch on `code`, never on the text.

export interface IysErrorItem {
  code: string;
  message: string;
  location?: (string | number)[];
  value?: unknown;
  index?: number;
}

interface CatalogueEntry {
  status: number;
  message: string;
}

export const ERROR_CATALOGUE: Readonly<Record<string, CatalogueEntry>> = {
  H014: { status: 400, message: 'İstek gövdesi geçerli bir JSON değil.' },
  H015: { status: 500, message: 'Beklenmedik bir hata oluştu!' },
  H083: { status: 429, message: 'Saniyede kabul edilen istek limitine ulaşıldı.' },
  H084: { status: 429, message: 'Saatte kabul edilen kimlik doğrulama istek limitine ulaşıldı.' },
  H085: { status: 400, message: 'Geçersiz izin ekleme isteği.' },
  H086: { status: 429, message: 'Saatte kabul edilen tekil izin sorgulama istek limitine ulaşıldı.' },
  H089: { status: 429, message: 'Saatte kabul edilen izin geçmişi sorgulama istek limitine ulaşıldı.' },
  H091: { status: 422, message: 'Tek istekte en fazla 1000 izin gönderilebilir.' },
  H092: { status: 400, message: 'Geçersiz çoklu izin ekleme isteği.' },
  H093: { status: 422, message: 'Bağlantı için kullanıcı adı (username) ve şifre (password) zorunludur.' },
  H097: { status: 400, message: 'Geçersiz izin sorgulama isteği.' },
  H101: { status: 500, message: 'İzin kaydedilirken bir hata oluştu.' },
  H102: { status: 500, message: 'Şifreleme işlemi sırasında bir hata oluştu.' },
  H103: { status: 500, message: 'Arama servisine erişilirken bir hata oluştu.' },
  H110: { status: 422, message: 'İzin durumu (status) bilgisi zorunludur.' },
  H111: { status: 422, message: 'İzin tipi (type) bilgisi zorunludur.' },
  H112: { status: 422, message: 'İzin tarihi (consentDate) bilgisi zorunludur.' },
  H113: { status: 422, message: 'İzin kaynağı (source) bilgisi zorunludur.' },
  H114: { status: 422, message: 'Alıcı (recipient) bilgisi zorunludur.' },
  H115: { status: 422, message: 'İzin durumu (status) ONAY veya RET olmalıdır.' },
  H116: { status: 422, message: 'Alıcı tipi (recipientType) BIREYSEL veya TACIR olmalıdır.' },
  H117: { status: 422, message: 'İzin tipi (type) ARAMA, MESAJ veya EPOSTA olmalıdır.' },
  H118: { status: 422, message: 'İstekte tanımlı olmayan bir alan gönderildi.' },
  H119: { status: 422, message: 'Geçersiz izin kaynağı (source).' },
  H120: { status: 422, message: 'Geçersiz e-posta adresi.' },
  H121: { status: 422, message: 'Geçersiz telefon numarası.' },
  H122: { status: 422, message: 'Alıcı geçerli bir telefon numarası veya e-posta adresi olmalıdır.' },
  H123: { status: 400, message: 'Servis şu anda yoğun, lütfen daha sonra tekrar deneyiniz.' },
  H124: { status: 429, message: 'Saniyede kabul edilen istek limitine ulaşıldı.' },
  H125: { status: 422, message: 'Tek istekte en fazla 1000 izin gönderilebilir.' },
  H126: { status: 422, message: 'Bayi erişim listesi (retailerAccess) en fazla 100 bayi içerebilir.' },
  H127: { status: 422, message: 'Alıcı listesi (recipients) en fazla 1000 alıcı içerebilir.' },
  H155: { status: 422, message: 'HS_2015 kaynaklı izinlerin tarihi 2015-05-01 00:00:00 olmalıdır.' },
  H156: { status: 422, message: '2015-05-01 00:00:00 tarihinden önce alınan izinler kaydedilemez.' },
  H157: { status: 422, message: 'Geçersiz tarih.' },
  H158: { status: 422, message: 'Tarih YYYY-MM-DD HH:mm:ss biçiminde olmalıdır.' },
  H160: { status: 422, message: 'Telefon numarası 15 karakterden uzun olamaz.' },
  H162: { status: 422, message: 'İzin tarihi ileri bir tarih olamaz.' },
  H163: { status: 422, message: 'Bayi erişim listesi (retailerAccess) boş olamaz.' },
  H164: { status: 422, message: 'Alıcı listesi (recipients) boş olamaz.' },
  H166: { status: 422, message: 'Telefon numarası 15 karakterden uzun olamaz.' },
  H168: { status: 422, message: 'Alıcı listesi (recipients) zorunludur.' },
  H170: { status: 422, message: 'Alıcı tipi (recipientType) bilgisi zorunludur.' },
  H174: { status: 400, message: 'İzin durumu güncellemesi için farklı bir durum girilmelidir. İzin durumu: RET' },
  H175: { status: 400, message: 'İlk defa kaydedilen bir iznin durum (status) bilgisi RET olmamalıdır.' },
  H178: { status: 400, message: 'Kayıtlı izin tarihinden daha eski tarihli bir izin kaydedilemez.' },
  H179: { status: 500, message: 'Tarih karşılaştırması yapılırken bir hata oluştu.' },
  H180: { status: 403, message: 'Bayi kodu, markaya ait bayiler arasında bulunamadı.' },
  H182: { status: 422, message: 'offset değeri negatif olmayan bir tam sayı olmalıdır.' },
  H183: { status: 422, message: 'limit değeri pozitif bir tam sayı olmalıdır.' },
  H186: { status: 422, message: 'Sayfa büyüklüğü (limit) 100 değerinden büyük olamaz.' },
  H187: { status: 422, message: 'Sayfa büyüklüğü (limit) 0 olamaz.' },
  H190: { status: 422, message: 'iysCode tam sayı olmalıdır.' },
  H191: { status: 422, message: 'brandCode tam sayı olmalıdır.' },
  H192: { status: 503, message: 'Servis geçici olarak kullanılamıyor.' },
  H193: { status: 422, message: 'Alıcı listesinde tekrar eden alıcı bulunmaktadır.' },
  H194: { status: 422, message: 'Aynı alıcı, alıcı tipi ve izin tipi bir listede yalnızca bir kez bulunabilir.' },
  H198: { status: 422, message: 'requestId 36 karakterden uzun olamaz.' },
  H199: { status: 422, message: 'requestId yalnızca harflerden oluşamaz.' },
  H267: { status: 400, message: 'İsteğe bağlı alanlar boş gönderilemez; kullanılmayacaksa istekten çıkarılmalıdır.' },
  H351: { status: 401, message: 'Eksik veya geçersiz jeton!' },
  H353: { status: 403, message: 'iysCode, kullanıcı izinleriyle eşleştirilemiyor' },
  H363: { status: 400, message: 'Bu servis hesap türünüz için kullanılamaz.' },
  H400: { status: 422, message: 'requestId yalnızca rakamlardan oluşamaz.' },
  H408: { status: 422, message: 'HS_KARAR kaynağı yalnızca RET durumuyla kullanılabilir.' },
  H412: { status: 500, message: 'İşlem zaman aşımına uğradı.' },
  H462: { status: 400, message: 'Tacir izin güncellemelerinde izin tarihi (consentDate) zorunludur.' },
  H463: { status: 400, message: 'Tacir izin güncellemelerinde izin kaynağı (source) zorunludur.' },
  H464: { status: 422, message: 'Alıcı biçimi izin tipiyle uyuşmuyor.' },
  H437: { status: 404, message: 'Abonelik bulunamadı.' },
  H467: { status: 422, message: 'Üç iş günü öncesinde alınan izinler kaydedilemez.' },
  H470: { status: 500, message: 'İşlem sırasında bir hata oluştu.' },
  H476: { status: 500, message: 'İşlem sırasında bir hata oluştu.' },
  H478: { status: 422, message: 'Alıcı listesi (recipients) bir liste olmalıdır.' },
  H501: { status: 422, message: 'Rapor tarihi (reportDate) YYYY-MM-DD biçiminde olmalıdır.' },
  H502: { status: 422, message: 'Son 7 günden daha eski bir rapor tarihi sorgulanamaz.' },
  H506: { status: 422, message: 'source değeri HS veya IYS olmalıdır.' },
  H507: { status: 422, message: 'limit değeri 1000 değerinden büyük olamaz.' },
  H512: { status: 422, message: 'agreementStatus yalnızca true olarak gönderilebilir.' },
  H520: { status: 403, message: 'Abonelik durumu aktif değilken api kullanılamamaktadır.' },
  H521: { status: 403, message: 'Abonelik durumu CLOSED iken api kullanılamamaktadır.' },
  H522: { status: 400, message: 'Bu servis yalnızca iş ortakları tarafından kullanılabilir.' },
  H524: { status: 403, message: 'Bu hesap için abonelik bulunamadı.' },
  H525: { status: 422, message: 'İzin kotanız dolmuştur.' },
  H586: { status: 403, message: 'Abonelik paketiniz API kullanımını içermemektedir.' },
  H530: {
    status: 422,
    message: 'Bağlantı kurulamadı. Uç nokta POST kabul etmeli ve Basic Authentication doğrulaması yapmalıdır.',
  },
  H531: { status: 422, message: 'Bağlantı adresi https olmalıdır.' },
  // Codes of the simulator's own, for answers İYS leaves undocumented (see the README).
  SIM403: {
    status: 403,
    message:
      'Test yüzeyine (/_sim/) yalnızca bu makineden ya da simülatör jetonuyla (IYS_SIMULATOR_TOKEN) erişilebilir.',
  },
  SIM404: { status: 404, message: 'Kayıt bulunamadı.' },
  SIM422: { status: 422, message: 'Geçersiz değer.' },
};

export function statusOf(code: string): number {
  return ERROR_CATALOGUE[code]?.status ?? 400;
}

export function errorItem(code: string, extras: Partial<Omit<IysErrorItem, 'code'>> = {}): IysErrorItem {
  const item: IysErrorItem = { code, message: extras.message ?? ERROR_CATALOGUE[code]?.message ?? code };
  if (extras.location !== undefined) item.location = extras.location;
  if (extras.value !== undefined) item.value = extras.value;
  if (extras.index !== undefined) item.index = extras.index;
  return item;
}

/** A rejection on an İYS data path. The filter renders it as `{ errors: [...] }` with `status`. */
export class IysError extends Error {
  constructor(
    readonly status: number,
    readonly errors: IysErrorItem[],
    /** Extra top-level fields, e.g. H084's `code`/`message` that some clients read at the top level. */
    readonly topLevel: Record<string, unknown> = {},
  ) {
    super(errors.map((e) => e.code).join(','));
  }

  static of(code: string, extras: Partial<Omit<IysErrorItem, 'code'>> = {}): IysError {
    return new IysError(statusOf(code), [errorItem(code, extras)]);
  }

  body(): Record<string, unknown> {
    return { ...this.topLevel, errors: this.errors };
  }
}

/** A rejection on the token endpoint, rendered in OAuth's shape. */
export class OAuthError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'invalid_grant',
    readonly description: string,
  ) {
    super(description);
  }
}
