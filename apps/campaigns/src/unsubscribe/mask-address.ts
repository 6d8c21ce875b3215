// Second-level labels under which registrations happen (ornek.com.tr, example.co.uk): kept with the top level, so
// `ali@ornek.com.tr` shows as `a***@o***.com.tr` rather than giving away `ornek`.
const SECOND_LEVEL = new Set([
  'com',
  'net',
  'org',
  'gov',
  'edu',
  'mil',
  'k12',
  'gen',
  'bel',
  'pol',
  'tsk',
  'av',
  'dr',
  'bbs',
  'info',
  'biz',
  'web',
  'co',
  'ac',
  'ne',
  'or',
  'go',
]);

/**
 * An address as the unsubscribe page shows it: enough for its owner to recognise (`a***@e***.com`), too little
 * for anyone who opens a forwarded link to learn it. The stars never reveal a length.
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  const local = address.slice(0, at);
  const labels = address
    .slice(at + 1)
    .split('.')
    .filter(Boolean);
  if (labels.length === 0) return `${first(local)}***`;
  if (labels.length === 1) return `${first(local)}***@${first(labels[0])}***`;
  const keep = labels.length >= 3 && SECOND_LEVEL.has(labels[labels.length - 2].toLowerCase()) ? 2 : 1;
  const suffix = labels.slice(-keep).join('.');
  const name = labels[labels.length - keep - 1];
  return `${first(local)}***@${first(name)}***.${suffix}`;
}

function first(s: string): string {
  return Array.from(s)[0] ?? '';
}
