// sendEmail against a real SMTP server (smtp-server on 127.0.0.1, port 0), reading what arrived with
// mailparser: subject, recipients, both parts, escaping, the ids — and how 451, 550 and a dead server
// become outcomes.
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderedNotification } from '../../rendered-notification.js';
import { createEmailTransport, describeSmtpServer, type EmailTransport } from './config.js';
import { sendEmail, type EmailOutcome } from './send.js';

const FIRING: RenderedNotification = {
  kind: 'firing',
  title: '[P2 告警] orders <script>alert(1)</script> & "slow"',
  summary: '2 条告警: **P1** × 1, **P2** × 1',
  items: [
    {
      severity: 'P1',
      markdown: '- **order-service** 主机 10.0.0.7: <img src=x onerror=alert(1)> p99 \\> 500 ms',
    },
    {
      severity: 'P2',
      markdown: '- [evil](javascript:alert(1)) and `a<b` and [view](https://tocsin.example/e/2)',
    },
  ],
  links: [{ title: '查看', url: 'https://tocsin.example/events/1?x=1&y=2' }],
  locale: 'zh-CN',
};

interface Arrived {
  readonly from: string;
  readonly to: readonly string[];
  readonly mail: ParsedMail;
}

let server: SMTPServer;
let port: number;
let arrived: Arrived[];
let transport: EmailTransport;

function smtpError(responseCode: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode });
}

beforeEach(async () => {
  arrived = [];
  server = new SMTPServer({
    authOptional: true,
    // No STARTTLS: nodemailer would upgrade and then reject the server's self-signed certificate.
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      if (address.address.startsWith('busy@'))
        return callback(smtpError(451, 'Requested action aborted: try again later'));
      if (address.address.startsWith('nobody@')) return callback(smtpError(550, 'No such user here'));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          arrived.push({
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            mail,
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.server.address() as AddressInfo).port;
  transport = createEmailTransport(
    { url: `smtp://127.0.0.1:${port}`, from: 'Tocsin <alerts@tocsin.example>' },
    { connectionTimeoutMs: 2_000 },
  )!;
});

afterEach(async () => {
  transport.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function failure(outcome: EmailOutcome) {
  if (outcome.ok) throw new Error(`expected a failure, got ${JSON.stringify(outcome)}`);
  return outcome;
}

describe('a delivered e-mail', () => {
  it('arrives with the title as subject, the recipient, the sender, and both parts', async () => {
    const outcome = await sendEmail(transport, 'ops@example.com', FIRING, { notificationId: 'n-42' });
    expect(outcome).toMatchObject({ ok: true, messageId: '<tocsin.n-42@tocsin.example>', requests: 1 });
    expect(outcome.ok && outcome.smtpResponse).toMatch(/^250 /);
    expect(arrived).toHaveLength(1);
    const { from, to, mail } = arrived[0]!;
    expect(from).toBe('alerts@tocsin.example');
    expect(to).toEqual(['ops@example.com']);
    expect(mail.subject).toBe(FIRING.title);
    expect(mail.messageId).toBe('<tocsin.n-42@tocsin.example>');
    expect(mail.headers.get('x-tocsin-notification')).toBe('n-42');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toContain('2 条告警: P1 × 1, P2 × 1');
    expect(mail.text).toContain('order-service 主机 10.0.0.7');
    expect(mail.text).toContain('查看: https://tocsin.example/events/1?x=1&y=2');
    expect(mail.html).toContain('<strong>order-service</strong>');
    expect(mail.html).toContain('<a href="https://tocsin.example/e/2">view</a>');
    expect(mail.html).toContain('href="https://tocsin.example/events/1?x=1&amp;y=2"');
  });

  it('escapes everything in the HTML part: no script, no tag, no javascript: link survives', async () => {
    expect((await sendEmail(transport, 'ops@example.com', FIRING)).ok).toBe(true);
    const html = arrived[0]!.mail.html as string;
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;slow&quot;');
    expect(html).not.toMatch(/<script|<img|onerror|href="javascript/i);
    expect(html).toContain('evil (javascript:alert(1))');
    expect(html).toContain('<code>a&lt;b</code>');
    expect(html).toContain('p99 &gt; 500 ms');
  });

  it('goes out without a Tocsin Message-ID when the caller passes no id', async () => {
    const outcome = await sendEmail(transport, 'ops@example.com', FIRING);
    expect(outcome.ok).toBe(true);
    expect(arrived[0]!.mail.headers.get('x-tocsin-notification')).toBeUndefined();
    expect(arrived[0]!.mail.messageId).not.toMatch(/^<tocsin\./);
  });

  it('reuses the pooled transport for several sends', async () => {
    const outcomes = await Promise.all(
      ['a@example.com', 'b@example.com', 'c@example.com'].map((to) => sendEmail(transport, to, FIRING)),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(arrived.flatMap((mail) => mail.to).sort()).toEqual([
      'a@example.com',
      'b@example.com',
      'c@example.com',
    ]);
  });
});

describe('a refused or failed e-mail', () => {
  it('retries a 451 answer later, quoting the server', async () => {
    const outcome = failure(await sendEmail(transport, 'busy@example.com', FIRING));
    expect(outcome).toMatchObject({ retryable: true, class: 'transient', smtpCode: 451, requests: 1 });
    expect(outcome.reason).toBe(
      `smtp://127.0.0.1:${port} answered 451 Requested action aborted: try again later — temporarily refused, retry later`,
    );
    expect(arrived).toEqual([]);
  });

  it("fails a 550 answer permanently with the server's answer and the recipient", async () => {
    const outcome = failure(await sendEmail(transport, 'nobody@example.com', FIRING));
    expect(outcome).toMatchObject({
      retryable: false,
      class: 'permanent',
      smtpCode: 550,
      smtpResponse: '550 No such user here',
    });
    expect(outcome.reason).toBe(
      `smtp://127.0.0.1:${port} answered 550 No such user here — the server refused the recipient nobody@example.com; check the contact's e-mail address`,
    );
  });

  it('retries when the SMTP server is down', async () => {
    const down = createEmailTransport({ url: `smtp://127.0.0.1:${port}`, from: 'tocsin@localhost' })!;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    server = new SMTPServer({ logger: false });
    try {
      const outcome = failure(await sendEmail(down, 'ops@example.com', FIRING));
      expect(outcome).toMatchObject({ retryable: true, class: 'transient', requests: 1 });
      expect(outcome.reason).toContain(`could not deliver through smtp://127.0.0.1:${port}`);
      expect(outcome.reason).toContain('ECONNREFUSED');
    } finally {
      down.close();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    }
  });

  it('fails permanently, saying what to set, when no SMTP server is configured', async () => {
    expect(await sendEmail(createEmailTransport(null), 'ops@example.com', FIRING)).toEqual({
      ok: false,
      retryable: false,
      class: 'permanent',
      reason: 'not sent: no SMTP server configured: set TOCSIN_SMTP_URL',
      requests: 0,
    });
  });
});

describe('describeSmtpServer', () => {
  it('shows the user but never the password', () => {
    expect(describeSmtpServer('smtps://ops%40corp:hunter2@mail.example.com:465')).toBe(
      'smtps://ops@corp@mail.example.com:465',
    );
  });
});
