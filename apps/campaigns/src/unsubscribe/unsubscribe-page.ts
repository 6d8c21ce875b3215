import { createHash } from 'crypto';
import type { UndoRefusal } from './undo-policy';

/** What a recipient sees; each view is one state of the flow (UNSUBSCRIBE.md "The recipient's path"). */
export type UnsubscribePageView =
  /** GET: the question, with the confirm button. Changes nothing. */
  | { kind: 'confirm'; brandName: string; maskedAddress: string }
  /** GET on a key whose latest movement is already RET; the undo is offered only when it would be accepted. */
  | { kind: 'already'; brandName: string; maskedAddress: string; undoToken: string | null }
  /** After the form post: done, with the undo for a mistaken click. */
  | { kind: 'done'; brandName: string; maskedAddress: string; undoToken: string | null }
  /** The refusal was kept in the history only: a later-dated decision is in force (clock skew; practically never). */
  | { kind: 'superseded'; brandName: string; maskedAddress: string }
  /** The undo recorded a new ONAY. */
  | { kind: 'undone'; brandName: string; maskedAddress: string }
  /** The undo was refused, for the reason given; nothing was recorded. */
  | { kind: 'undo-refused'; brandName: string; maskedAddress: string; reason: UndoRefusal }
  /** A token that does not verify, or a brand that no longer exists. */
  | { kind: 'invalid' }
  /** Anything else that stopped the request (a body that could not be read, a route that does not exist …). */
  | { kind: 'error'; status: number };

// Kept tiny and inline: the page loads nothing from anywhere, and the CSP names this exact stylesheet by hash.
const STYLE =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5;color:#1a1a1a;background:#fff}' +
  'section{margin:1.5rem 0}h1{font-size:1.4rem}h2{font-size:1.15rem}' +
  'button{font:inherit;padding:.6rem 1.2rem;border:2px solid #1a1a1a;border-radius:.3rem;background:#1a1a1a;color:#fff;cursor:pointer}' +
  'button.secondary{background:#fff;color:#1a1a1a}button:focus{outline:3px solid #0a58ca;outline-offset:2px}' +
  'hr{border:0;border-top:1px solid #ccc}.muted{color:#555;font-size:.95rem}';
const STYLE_HASH = createHash('sha256').update(STYLE, 'utf8').digest('base64');

/**
 * The response headers of every unsubscribe page: nothing may run, load or frame it, no cache or referrer may keep
 * the token, and search engines must not index it.
 */
/** Every answer of the unsubscribe link, pages and one-click alike: never cached, never indexed, no referrer. */
export const UNSUBSCRIBE_PRIVATE_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Robots-Tag': 'noindex, nofollow',
};

export const UNSUBSCRIBE_PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  ...UNSUBSCRIBE_PRIVATE_HEADERS,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => ESCAPES[ch]);
}

interface Texts {
  title: string;
  tr: string;
  en: string;
}

/** Renders a complete, self-contained HTML page in Turkish and English. Every value is escaped here. */
export function renderUnsubscribePage(view: UnsubscribePageView): string {
  const t = texts(view);
  return [
    '<!DOCTYPE html>',
    '<html lang="tr">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${t.title}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    t.tr,
    '<hr>',
    t.en,
    forms(view),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function section(lang: 'tr' | 'en', heading: string, ...paragraphs: string[]): string {
  const tag = lang === 'tr' ? 'h1' : 'h2';
  return `<section lang="${lang}">\n<${tag}>${heading}</${tag}>\n${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}\n</section>`;
}

function texts(view: UnsubscribePageView): Texts {
  switch (view.kind) {
    case 'confirm': {
      const b = `<strong>${escapeHtml(view.brandName)}</strong>`;
      const a = `<strong>${escapeHtml(view.maskedAddress)}</strong>`;
      return {
        title: `Abonelikten çık / Unsubscribe: ${escapeHtml(view.brandName)}`,
        tr: section(
          'tr',
          'Abonelikten çıkmak istiyor musunuz?',
          `${b} markasının ${a} adresine gönderdiği ticari e-postaları artık almak istemiyorsanız aşağıdaki düğmeye basın.`,
        ),
        en: section(
          'en',
          'Do you want to unsubscribe?',
          `Press the button below to stop commercial e-mail from ${b} to ${a}.`,
        ),
      };
    }
    case 'already': {
      const b = `<strong>${escapeHtml(view.brandName)}</strong>`;
      const a = `<strong>${escapeHtml(view.maskedAddress)}</strong>`;
      return {
        title: `Abonelikten çıkıldı / Unsubscribed: ${escapeHtml(view.brandName)}`,
        tr: section(
          'tr',
          'Zaten abonelikten çıktınız',
          `${a} adresi ${b} markasının ticari e-postalarından zaten çıkmış durumda. Yapmanız gereken başka bir şey yok.`,
        ),
        en: section(
          'en',
          'You are already unsubscribed',
          `${a} is already unsubscribed from commercial e-mail from ${b}. There is nothing more to do.`,
        ),
      };
    }
    case 'done': {
      const b = `<strong>${escapeHtml(view.brandName)}</strong>`;
      const a = `<strong>${escapeHtml(view.maskedAddress)}</strong>`;
      return {
        title: `Abonelikten çıkıldı / Unsubscribed: ${escapeHtml(view.brandName)}`,
        tr: section(
          'tr',
          'Abonelikten çıktınız',
          `${b} artık ${a} adresine ticari e-posta göndermeyecek. Tercihiniz kaydedildi ve hemen iletildi.`,
          '<span class="muted">Sipariş, fatura ya da üyelik bildirimleri gibi bilgilendirme e-postaları gelmeye devam edebilir.</span>',
        ),
        en: section(
          'en',
          'You are unsubscribed',
          `${b} will send no more commercial e-mail to ${a}. Your choice was recorded and passed on at once.`,
          '<span class="muted">Notices about orders, invoices or your membership may still arrive.</span>',
        ),
      };
    }
    case 'superseded': {
      const b = `<strong>${escapeHtml(view.brandName)}</strong>`;
      return {
        title: 'Kaydedildi / Recorded',
        tr: section(
          'tr',
          'Talebiniz kaydedildi',
          `Ancak ${b} için daha yeni tarihli bir tercihiniz bulunduğundan bu talep geçmişe kaydedildi, uygulanmadı. Lütfen birkaç dakika sonra bağlantıyı yeniden deneyin.`,
        ),
        en: section(
          'en',
          'Your request was recorded',
          `A later-dated choice of yours for ${b} is in force, so this request was kept in the history only. Please try the link again in a few minutes.`,
        ),
      };
    }
    case 'undone': {
      const b = `<strong>${escapeHtml(view.brandName)}</strong>`;
      const a = `<strong>${escapeHtml(view.maskedAddress)}</strong>`;
      return {
        title: `Abonelik sürüyor / Subscribed: ${escapeHtml(view.brandName)}`,
        tr: section(
          'tr',
          'Aboneliğiniz devam ediyor',
          `Abonelikten çıkma işlemini geri aldınız: ${b}, ${a} adresine yeniden ticari e-posta gönderebilir. E-postalardaki bağlantıyla istediğiniz zaman yeniden çıkabilirsiniz.`,
        ),
        en: section(
          'en',
          'You are subscribed again',
          `You undid the unsubscribe: ${b} may send commercial e-mail to ${a} again. You can unsubscribe at any time with the link in its e-mails.`,
        ),
      };
    }
    case 'undo-refused':
      return undoRefusedTexts(view.reason, `<strong>${escapeHtml(view.brandName)}</strong>`);
    case 'invalid':
      return {
        title: 'Geçersiz bağlantı / Invalid link',
        tr: section(
          'tr',
          'Bu bağlantı geçersiz',
          'Bağlantı eksik, değiştirilmiş ya da artık geçerli değil. Lütfen e-postadaki bağlantıyı eksiksiz açın ya da göndericiyle iletişime geçin. Hiçbir şey değiştirilmedi.',
        ),
        en: section(
          'en',
          'This link is not valid',
          'The link is incomplete, altered or no longer valid. Please open the link in the e-mail in full, or contact the sender. Nothing was changed.',
        ),
      };
    case 'error':
      return {
        title: 'İstek işlenemedi / Request not processed',
        tr: section(
          'tr',
          'İsteğiniz işlenemedi',
          `Hiçbir şey değiştirilmedi (hata ${view.status}). Lütfen e-postadaki bağlantıyı yeniden açın.`,
        ),
        en: section(
          'en',
          'Your request could not be processed',
          `Nothing was changed (error ${view.status}). Please open the link in the e-mail again.`,
        ),
      };
  }
}

const NOTHING_CHANGED = { tr: 'Hiçbir şey değiştirilmedi.', en: 'Nothing was changed.' };

/** Each refusal says why in both languages; `b` is the brand name, already escaped. */
function undoRefusedTexts(reason: UndoRefusal, b: string): Texts {
  const why = ((): { tr: string; en: string } => {
    switch (reason) {
      case 'NO_UNSUBSCRIBE':
        return {
          tr: 'Bu bağlantıyla yapılmış, geri alınabilecek bir abonelikten çıkma işlemi yok.',
          en: 'No unsubscribe that could be undone was made with this link.',
        };
      case 'NOTHING_TO_RESTORE':
        return {
          tr: `Abonelikten çıkmadan önce ${b} için kayıtlı bir izniniz yoktu. Geri alma yalnızca var olan bir izni geri getirir, yeni izin oluşturmaz.`,
          en: `Before this unsubscribe, ${b} held no consent of yours. An undo only brings back a consent that existed; it never creates one.`,
        };
      case 'ALREADY_UNDONE':
        return {
          tr: 'Bu abonelikten çıkma işlemi zaten geri alındı. Bir işlem yalnızca bir kez geri alınabilir.',
          en: 'This unsubscribe was already undone. An unsubscribe can be undone only once.',
        };
      case 'EXPIRED':
        return {
          tr: 'Abonelikten çıkma işlemi yalnızca 7 gün içinde geri alınabilir ve bu süre doldu.',
          en: 'An unsubscribe can be undone within 7 days only, and that time has passed.',
        };
      case 'CHANGED':
        return {
          tr: `Abonelikten çıktıktan sonra ${b} için tercihiniz başka bir yoldan değişti (İYS, başka bir e-postadaki bağlantı ya da ${b}); en son tercihiniz geçerli kalır.`,
          en: `Your choice for ${b} changed in another way after this unsubscribe (through İYS, another e-mail's link, or ${b} itself); your latest choice stands.`,
        };
    }
  })();
  return {
    title: 'Geri alınamadı / Cannot be undone',
    tr: section('tr', 'Bu işlem geri alınamıyor', `${why.tr} ${NOTHING_CHANGED.tr}`),
    en: section('en', 'This cannot be undone', `${why.en} ${NOTHING_CHANGED.en}`),
  };
}

function forms(view: UnsubscribePageView): string {
  switch (view.kind) {
    case 'confirm':
      // An empty action posts back to this very URL, whatever prefix PUBLIC_URL gives it.
      return [
        '<form method="post" action="">',
        '<input type="hidden" name="action" value="unsubscribe">',
        '<button type="submit">Abonelikten çık / Unsubscribe</button>',
        '</form>',
      ].join('\n');
    case 'already':
    case 'done':
      return view.undoToken ? undoForm(view.undoToken) : '';
    case 'superseded':
    case 'undone':
    case 'undo-refused':
    case 'invalid':
    case 'error':
      return '';
  }
}

function undoForm(token: string): string {
  // Relative to /u/{token}: `./{token}/undo` is /u/{token}/undo under any PUBLIC_URL prefix.
  return [
    '<section>',
    '<p lang="tr">Yanlışlıkla mı bastınız? Aboneliğinizi sürdürebilirsiniz.</p>',
    '<p lang="en">Clicked by mistake? You can stay subscribed.</p>',
    `<form method="post" action="./${escapeHtml(token)}/undo">`,
    '<input type="hidden" name="action" value="undo">',
    '<button type="submit" class="secondary">Geri al / Undo</button>',
    '</form>',
    '</section>',
  ].join('\n');
}
