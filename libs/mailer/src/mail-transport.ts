export interface MailAddress {
  name?: string;
  address: string;
}

export interface OutgoingMail {
  from: MailAddress;
  to: string;
  replyTo?: string;
  subject: string;
  html?: string;
  text?: string;
  /** Extra headers (List-Unsubscribe, List-Id, Feedback-ID …). Values are single-line. */
  headers?: Record<string, string>;
  /** Deterministic Message-ID, e.g. `<c123.r456@izinli>`; a retry resends the same id. */
  messageId?: string;
}

export interface MailReceipt {
  messageId: string;
  response: string;
}

/** A refused send. `permanent` (SMTP 5xx) is final; otherwise (4xx, network) a retry may succeed. */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
  ) {
    super(message);
    this.name = 'MailSendError';
  }
}

/** The mail port: nodemailer over pooled SMTP, or .eml files for a machine with no mail server. */
export abstract class MailTransport {
  abstract readonly kind: 'smtp' | 'eml-files';
  abstract send(mail: OutgoingMail): Promise<MailReceipt>;
  /** Reachability, for /health. */
  abstract verify(): Promise<void>;
  abstract close(): Promise<void>;
}

// Header values must stay on one line: a CR or LF in a subject or a display name would start a new header.
export function singleLine(value: string): string {
  // eslint-disable-next-line no-control-regex -- NUL must never reach a header
  return value.replace(/[\r\n\u2028\u2029\u0000]+/g, ' ').trim();
}
