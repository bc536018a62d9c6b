// The SMTP side of the e-mail channel: one pooled nodemailer transport built from `ServerConfig.smtp`,
// created once by the composition root and shared by every send, plus a password-free description.
import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';

/** `ServerConfig.smtp`: TOCSIN_SMTP_URL and TOCSIN_SMTP_FROM. */
export interface SmtpSettings {
  /** `smtp://user:password@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS from the start). */
  readonly url: string;
  /** The From header, e.g. `Tocsin <tocsin@example.com>`. */
  readonly from: string;
}

export interface EmailTransportOptions {
  /** Connecting and waiting for the greeting, each. Default 10 s. */
  readonly connectionTimeoutMs?: number;
  /** Silence on an open connection before giving up. Default 30 s. */
  readonly socketTimeoutMs?: number;
  /** Connections kept open to the server. Default 2: alerts come in bursts, small servers limit clients. */
  readonly maxConnections?: number;
}

/** The shared transport; `close()` it on shutdown so pooled connections say QUIT. */
export interface EmailTransport {
  readonly from: string;
  /** For logs and reasons: `smtp://host:587` (user shown, password never). */
  readonly server: string;
  readonly mailer: Transporter<SMTPPool.SentMessageInfo, SMTPPool.Options>;
  close(): void;
}

/**
 * The SMTP URL without its password, for logs and error messages.
 * @example describeSmtpServer('smtp://ops:hunter2@mail.example.com:587') // 'smtp://ops@mail.example.com:587'
 */
export function describeSmtpServer(smtpUrl: string): string {
  try {
    const url = new URL(smtpUrl);
    const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`;
    return `${url.protocol}//${user}${url.host}`;
  } catch {
    return '(invalid SMTP URL)';
  }
}

/**
 * The pooled transport for `smtp`, or null when no SMTP server is configured (sends then fail with a
 * permanent "no SMTP server configured"). Connecting is lazy: nothing happens until the first send.
 * @example const email = createEmailTransport(config.smtp); … email?.close();
 */
export function createEmailTransport(
  smtp: SmtpSettings | null,
  options: EmailTransportOptions = {},
): EmailTransport | null {
  if (smtp === null) return null;
  const connectionTimeout = options.connectionTimeoutMs ?? 10_000;
  const mailer = createTransport({
    url: smtp.url,
    pool: true,
    maxConnections: options.maxConnections ?? 2,
    // nodemailer's defaults (2 min to connect, 10 min of silence) would hold a notification far too long.
    connectionTimeout,
    greetingTimeout: connectionTimeout,
    socketTimeout: options.socketTimeoutMs ?? 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    from: smtp.from,
    server: describeSmtpServer(smtp.url),
    mailer,
    close: function closeEmailTransport() {
      mailer.close();
    },
  };
}
