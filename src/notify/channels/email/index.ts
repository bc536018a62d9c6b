// The e-mail channel's public surface, for the composition root, the dispatcher and the contact test
// button: create the shared SMTP transport once, render a notification as an e-mail, send it.
export {
  createEmailTransport,
  describeSmtpServer,
  type EmailTransport,
  type EmailTransportOptions,
  type SmtpSettings,
} from './config.js';
export { renderEmail, type RenderedEmail } from './render.js';
export { escapeHtml, markdownToHtml } from './markdown-html.js';
export {
  classifySmtpError,
  NO_SMTP_REASON,
  sendEmail,
  type EmailFailure,
  type EmailFailureClass,
  type EmailOutcome,
  type EmailSendOptions,
  type EmailSuccess,
} from './send.js';
