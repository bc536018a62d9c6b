// The sandbox's JSON API and HTML page over real HTTP.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sendMessage, startTestSandbox, textMessage, VECTOR_1, type TestSandbox } from './test-support.js';

let t: TestSandbox;

beforeAll(async () => {
  t = await startTestSandbox({ robots: [{ token: 'ops', name: 'Ops group', keywords: ['alert'] }] });
});

afterAll(async () => {
  await t.sandbox.close();
});

beforeEach(() => {
  t.sandbox.reset();
});

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${t.sandbox.url}${path}`, {
    method,
    ...(body !== undefined && {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('JSON API', () => {
  it('lists robots with their settings, counts and rate-limit status', async () => {
    await sendMessage(t.sandbox, 'ops', textMessage('alert'));
    const { status, body } = await api('GET', '/sandbox/api/robots');
    expect(status).toBe(200);
    expect(body.items).toEqual([
      {
        token: 'ops',
        name: 'Ops group',
        keywords: ['alert'],
        state: 'active',
        messageCount: 1,
        attemptCount: 1,
        rateLimit: { sentInWindow: 1, blockedUntil: null },
      },
    ]);
  });

  it('adds a robot that then receives messages, and refuses a duplicate or invalid one', async () => {
    const added = await api('POST', '/sandbox/api/robots', { token: 'signed', secret: VECTOR_1.secret });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ token: 'signed', secret: VECTOR_1.secret, state: 'active' });
    const query = `timestamp=${VECTOR_1.timestamp}&sign=${VECTOR_1.encodedSign}`;
    expect((await sendMessage(t.sandbox, 'signed', textMessage('hi'), query)).json?.errcode).toBe(0);

    expect((await api('POST', '/sandbox/api/robots', { token: 'signed', keywords: ['x'] })).status).toBe(409);
    const invalid = await api('POST', '/sandbox/api/robots', { token: 'bad', keywords: [] });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.problems).toEqual(['keywords: give 1–10 keywords or leave keywords out']);
    expect(t.sandbox.removeRobot('signed')).toBe(true);
  });

  it("changes a robot's state so it answers 400102", async () => {
    expect((await api('PATCH', '/sandbox/api/robots/ops', { state: 'disabled' })).body.state).toBe(
      'disabled',
    );
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json?.errcode).toBe(400102);
    await api('PATCH', '/sandbox/api/robots/ops', { state: 'active' });
    expect((await api('PATCH', '/sandbox/api/robots/nobody', { state: 'active' })).status).toBe(404);
  });

  it("lists a robot's messages and all attempts, and forgets them on DELETE /sandbox/api/messages", async () => {
    await sendMessage(t.sandbox, 'ops', textMessage('alert a'));
    await sendMessage(t.sandbox, 'ops', textMessage('b'));
    const messages = await api('GET', '/sandbox/api/robots/ops/messages');
    expect(messages.body.items.map((m: any) => m.body.text.content)).toEqual(['alert a']);
    const attempts = await api('GET', '/sandbox/api/attempts?token=ops');
    expect(attempts.body.items.map((a: any) => a.errcode)).toEqual([0, 310000]);
    expect((await api('GET', '/sandbox/api/robots/nobody/messages')).status).toBe(404);

    expect((await api('DELETE', '/sandbox/api/messages')).status).toBe(204);
    expect((await api('GET', '/sandbox/api/robots/ops/messages')).body.items).toEqual([]);
    expect((await api('GET', '/sandbox/api/attempts')).body.items).toEqual([]);
  });

  it('injects, lists and clears faults', async () => {
    const injected = await api('POST', '/sandbox/api/faults', { kind: 'errcode', errcode: -1, times: 2 });
    expect(injected.status).toBe(201);
    expect((await api('GET', '/sandbox/api/faults')).body.items).toHaveLength(1);
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json?.errcode).toBe(-1);
    expect((await api('DELETE', '/sandbox/api/faults')).status).toBe(204);
    expect((await sendMessage(t.sandbox, 'ops', textMessage('alert'))).json?.errcode).toBe(0);
    const invalid = await api('POST', '/sandbox/api/faults', { kind: 'latency' });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.problems).toEqual(['latencyMs: a latency fault needs latencyMs']);
  });
});

describe('HTML page', () => {
  it('shows each robot and its messages rendered, escaped, with would-notify mentions highlighted', async () => {
    await sendMessage(t.sandbox, 'ops', {
      msgtype: 'markdown',
      markdown: { title: 'alert: CPU', text: '### CPU <script>x</script>\n\n**P1** @13800000000' },
      at: { atMobiles: ['13800000000', '13900000000'] },
    });
    await sendMessage(t.sandbox, 'ops', {
      msgtype: 'actionCard',
      actionCard: { title: 'alert', text: 'x', btns: [{ title: '确认', actionURL: 'https://e.x/ack' }] },
    });
    for (const path of ['/', '/robots/ops']) {
      const response = await fetch(`${t.sandbox.url}${path}`);
      const html = await response.text();
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('<meta http-equiv="refresh"');
      expect(html).toContain('<h3>CPU &lt;script&gt;x&lt;/script&gt;</h3>');
      expect(html).toContain('<strong>P1</strong> <span class="mention">@13800000000</span>');
      expect(html).toContain('not notified (not written as @value in the text): 13900000000');
      expect(html).toContain('href="https://e.x/ack"');
      expect(html).not.toMatch(/<script|<link |src="http/);
    }
  });

  it('answers 404 for an unknown robot page', async () => {
    expect((await fetch(`${t.sandbox.url}/robots/nobody`)).status).toBe(404);
  });
});
