// Delivers one rendered notification to one e-mail address over the shared SMTP transport and returns an
// outcome — it never throws. SMTP says itself what is temporary: 4xx replies and broken connections are
// retried, 5xx replies are final and quoted so the user sees the server's own words.
import type { ChannelFailure, ChannelSuccess } from '../../channel-outcome.js';
import type { RenderedNotification } from '../../rendered-notification.js';
import type { EmailTransport } from './config.js';
import { renderEmail } from './render.js';

export type EmailFailureClass = 'transient' | 'permanent';

export interface EmailSuccess extends ChannelSuccess {
  readonly ok: true;
  /** The Message-ID the e-mail went out with. */
  readonly messageId: string;
  /** The server's reply to the message, e.g. `250 OK: message queued`. */
  readonly smtpResponse: string;
  readonly requests: 1;
}

export interface EmailFailure extends ChannelFailure {
  readonly class: EmailFailureClass;
  /** SMTP transactions attempted: 0 when refused before talking to the server. */
  readonly requests: 0 | 1;
}

export type EmailOutcome = EmailSuccess | EmailFailure;

export interface EmailSendOptions {
  /**
   * Stable across retries of the same notification: sent as `X-Tocsin-Notification` and built into the
   * Message-ID, so a mail client shows a retried duplicate once.
   */
  readonly notificationId?: string;
}

export const NO_SMTP_REASON = 'no SMTP server configured: set TOCSIN_SMTP_URL';

/** What nodemailer puts on its errors (smtp-connection's `_formatError`). */
interface SmtpError {
  readonly message: string;
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
}

function asSmtpError(error: unknown): SmtpError {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const { message, code, responseCode, response, command } = error as Record<string, unknown>;
  return {
    message: typeof message === 'string' ? message : 'unknown error',
    ...(typeof code === 'string' && { code }),
    ...(typeof responseCode === 'number' && { responseCode }),
    ...(typeof response === 'string' && { response }),
    ...(typeof command === 'string' && { command }),
  };
}

function notSent(detail: string): EmailFailure {
  return { ok: false, retryable: false, class: 'permanent', reason: `not sent: ${detail}`, requests: 0 };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function permanentHint(error: SmtpError, to: string): string {
  if (error.code === 'EAUTH') return 'check the user and password in TOCSIN_SMTP_URL';
  if (error.command === 'RCPT TO' || error.code === 'EENVELOPE') {
    return `the server refused the recipient ${to}; check the contact's e-mail address`;
  }
  if (error.command === 'MAIL FROM') return 'the server refused the sender; check TOCSIN_SMTP_FROM';
  return 'refused by the SMTP server';
}

/** The failure for an error nodemailer reported while sending. */
export function classifySmtpError(error: unknown, server: string, to: string): EmailFailure {
  const smtp = asSmtpError(error);
  const code = smtp.responseCode;
  const answer = oneLine(smtp.response ?? smtp.message);
  const details = {
    ok: false,
    requests: 1,
    ...(code !== undefined && { smtpCode: code }),
    ...(smtp.response !== undefined && { smtpResponse: oneLine(smtp.response) }),
  } as const;
  if (code !== undefined && code >= 500) {
    return {
      ...details,
      retryable: false,
      class: 'permanent',
      reason: `${server} answered ${answer} — ${permanentHint(smtp, to)}`,
    };
  }
  if (code !== undefined && code >= 400) {
    return {
      ...details,
      retryable: true,
      class: 'transient',
      reason: `${server} answered ${answer} — temporarily refused, retry later`,
    };
  }
  // No reply code: local refusals nodemailer makes before or without asking the server are final.
  if (smtp.code === 'EENVELOPE' || smtp.code === 'EMESSAGE' || smtp.code === 'EAUTH') {
    return {
      ...details,
      retryable: false,
      class: 'permanent',
      reason: `${answer} — ${permanentHint(smtp, to)}`,
    };
  }
  // Connection refused or reset, DNS, timeouts, TLS trouble: the server may be back soon.
  const prefix = smtp.code !== undefined && !answer.includes(smtp.code) ? `${smtp.code} ` : '';
  return {
    ...details,
    retryable: true,
    class: 'transient',
    reason: `could not deliver through ${server}: ${prefix}${answer}`,
  };
}

/** `Tocsin <tocsin@example.com>` → `example.com`: Message-IDs should name a domain of the sender. */
function senderDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'tocsin.localhost';
}

/**
 * Sends `notification` to `to` through `transport` (null when no SMTP server is configured) once, and
 * tells the dispatcher what happened. Never throws.
 * @example
 * const outcome = await sendEmail(emailTransport, contact.email, notification, { notificationId });
 * if (!outcome.ok && outcome.retryable) retryLater();
 */
export async function sendEmail(
  transport: EmailTransport | null,
  to: string,
  notification: RenderedNotification,
  options: EmailSendOptions = {},
): Promise<EmailOutcome> {
  if (transport === null) return notSent(NO_SMTP_REASON);
  if (to.trim() === '' || /[\r\n]/.test(to)) return notSent('the e-mail address is empty or spans lines');
  try {
    const email = renderEmail(notification);
    const id = options.notificationId?.replace(/[^A-Za-z0-9._-]/g, '');
    const messageId = id ? `<tocsin.${id}@${senderDomain(transport.from)}>` : undefined;
    let info;
    try {
      info = await transport.mailer.sendMail({
        from: transport.from,
        to,
        subject: email.subject,
        text: email.text,
        html: email.html,
        ...(messageId !== undefined && { messageId }),
        headers: {
          // RFC 3834: tells vacation responders and ticket systems not to answer an alert.
          'Auto-Submitted': 'auto-generated',
          ...(id && { 'X-Tocsin-Notification': id }),
        },
      });
    } catch (error) {
      return classifySmtpError(error, transport.server, to);
    }
    return { ok: true, messageId: info.messageId, smtpResponse: oneLine(info.response), requests: 1 };
  } catch (error) {
    // Rendering does not throw and nodemailer errors are caught above; this is a bug.
    return notSent(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
