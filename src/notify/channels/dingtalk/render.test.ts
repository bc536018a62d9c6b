// The DingTalk message built from a rendered notification: layout per msgtype, keywords, mentions and
// the 20000-byte limit, with property-style checks over random sizes and CJK text.
import { describe, expect, it } from 'vitest';
import type { RenderedNotification } from '../../rendered-notification.js';
import { requiredKeywords, type DingtalkRobotConfig } from './config.js';
import { escapeMarkdownInline, isClosedMarkdown } from './markdown-text.js';
import { DINGTALK_MAX_BODY_BYTES, renderDingtalkMessage } from './render.js';

const ROBOT: DingtalkRobotConfig = {
  webhook: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
  secret: null,
  keywords: ['报警'],
  atMobiles: ['13800000000'],
  atUserIds: ['user_001'],
  atAll: false,
  messageType: 'markdown',
};

const NOTIFICATION: RenderedNotification = {
  kind: 'firing',
  title: '[P2 报警] JVM FullGC doubled vs previous hour',
  summary: '1 event: **P2** × 1',
  items: [{ severity: 'P2', markdown: '- **order-service** host 10.0.0.7: JVM_FullGC +120%' }],
  links: [
    { title: '查看', url: 'https://tocsin.example/events/1' },
    { title: '确认', url: 'https://tocsin.example/events/1:acknowledge' },
  ],
  locale: 'zh-CN',
};

function parse(body: string): any {
  return JSON.parse(body);
}

/** The visible strings DingTalk may search for keywords, per msgtype. */
function titleAndText(message: any): { title: string | undefined; text: string } {
  if (message.msgtype === 'text') return { title: undefined, text: message.text.content };
  const payload = message[message.msgtype];
  return { title: payload.title, text: payload.text };
}

describe('renderDingtalkMessage layouts', () => {
  it('renders markdown by default: heading, summary, events, console links and @-mentions last', () => {
    const rendered = renderDingtalkMessage(NOTIFICATION, ROBOT);
    expect(rendered).toMatchObject({ msgtype: 'markdown', includedItems: 1, omittedItems: 0 });
    expect(parse(rendered.body)).toEqual({
      msgtype: 'markdown',
      markdown: {
        title: '[P2 报警] JVM FullGC doubled vs previous hour',
        text: [
          '#### \\[P2 报警\\] JVM FullGC doubled vs previous hour',
          '1 event: **P2** × 1',
          '- **order-service** host 10.0.0.7: JVM_FullGC +120%',
          '[查看](https://tocsin.example/events/1) | [确认](https://tocsin.example/events/1:acknowledge)',
          '@13800000000 @user_001',
        ].join('\n\n'),
      },
      at: {
        atMobiles: ['13800000000'],
        atUserIds: ['user_001'],
        atDingtalkIds: ['user_001'],
        isAtAll: false,
      },
    });
    expect(rendered.byteLength).toBe(Buffer.byteLength(rendered.body));
  });

  it('renders an actionCard with the links as buttons in a row and no mentions, which it cannot carry', () => {
    const rendered = renderDingtalkMessage(NOTIFICATION, { ...ROBOT, messageType: 'actionCard' });
    const message = parse(rendered.body);
    expect(message.msgtype).toBe('actionCard');
    expect(message.actionCard.btnOrientation).toBe('1');
    expect(message.actionCard.btns).toEqual([
      { title: '查看', actionURL: 'https://tocsin.example/events/1' },
      { title: '确认', actionURL: 'https://tocsin.example/events/1:acknowledge' },
    ]);
    expect(message.actionCard.text).not.toContain('](https://tocsin.example');
    expect(message.at).toBeUndefined();
  });

  it('sends an actionCard without links as markdown, because DingTalk requires at least one button', () => {
    const rendered = renderDingtalkMessage(
      { ...NOTIFICATION, links: [] },
      { ...ROBOT, messageType: 'actionCard' },
    );
    expect(rendered.msgtype).toBe('markdown');
    expect(parse(rendered.body).markdown.title).toContain('报警');
  });

  it('renders text as plain text with link URLs spelled out and mentions on the last line', () => {
    const rendered = renderDingtalkMessage(NOTIFICATION, { ...ROBOT, messageType: 'text' });
    expect(parse(rendered.body).text.content).toBe(
      [
        '[P2 报警] JVM FullGC doubled vs previous hour',
        '1 event: P2 × 1',
        '- order-service host 10.0.0.7: JVM_FullGC +120%',
        '查看: https://tocsin.example/events/1\n确认: https://tocsin.example/events/1:acknowledge',
        '@13800000000 @user_001',
      ].join('\n\n'),
    );
  });

  it('adds msgUuid to the body when given', () => {
    const rendered = renderDingtalkMessage(NOTIFICATION, ROBOT, { msgUuid: 'notification-42' });
    expect(parse(rendered.body).msgUuid).toBe('notification-42');
  });

  it('sets isAtAll without adding anyone to the text when the robot mentions everyone', () => {
    const robot = { ...ROBOT, atMobiles: [], atUserIds: [], atAll: true };
    const message = parse(renderDingtalkMessage(NOTIFICATION, robot).body);
    expect(message.at).toEqual({ isAtAll: true });
    expect(message.markdown.text).not.toContain('@');
  });
});

describe('renderDingtalkMessage keywords', () => {
  it('prepends the first keyword to title and text when the notification contains none', () => {
    const robot = { ...ROBOT, keywords: ['Tocsin监控', '值班'] };
    const message = parse(renderDingtalkMessage(NOTIFICATION, robot).body);
    expect(message.markdown.title).toBe('【Tocsin监控】[P2 报警] JVM FullGC doubled vs previous hour');
    expect(message.markdown.text.startsWith('#### 【Tocsin监控】')).toBe(true);
  });

  it('leaves the title alone when it already contains one of the keywords', () => {
    const robot = { ...ROBOT, keywords: ['FullGC'] };
    expect(parse(renderDingtalkMessage(NOTIFICATION, robot).body).markdown.title).toBe(NOTIFICATION.title);
  });

  it('carries 报警 (zh-CN) or alert (en) when the robot has no keywords configured', () => {
    const robot = { ...ROBOT, keywords: [] };
    const zh = parse(renderDingtalkMessage({ ...NOTIFICATION, title: '[P2 告警] 磁盘' }, robot).body);
    const en = parse(
      renderDingtalkMessage({ ...NOTIFICATION, title: '[P2] Disk full', locale: 'en' }, robot).body,
    );
    expect(zh.markdown.title).toBe('【报警】[P2 告警] 磁盘');
    expect(en.markdown.title).toBe('[alert] [P2] Disk full');
    expect(en.markdown.text).toContain('alert');
  });

  it('writes a keyword with markup characters verbatim in the text, since escaping would hide it', () => {
    const robot = { ...ROBOT, keywords: ['*ops*'] };
    const message = parse(renderDingtalkMessage(NOTIFICATION, robot).body);
    expect(message.markdown.title).toContain('*ops*');
    expect(message.markdown.text.startsWith('*ops*\n\n#### ')).toBe(true);
  });
});

describe('renderDingtalkMessage size limit', () => {
  const item = (index: number) => ({
    severity: 'P3' as const,
    markdown: `- **order-service-${index}** 主机 10.0.${index % 256}.7: JVM_FullGC 5 分钟平均值 环比上小时增长 120% (阈值 100%) [查看](https://tocsin.example/events/${index})`,
  });

  it('fits 500 events into one message under 20000 bytes with "…另有 N 条" for the rest', () => {
    const notification = { ...NOTIFICATION, items: Array.from({ length: 500 }, (_, i) => item(i)) };
    const rendered = renderDingtalkMessage(notification, ROBOT);
    expect(rendered.byteLength).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
    expect(rendered.includedItems).toBeGreaterThan(10);
    expect(rendered.includedItems + rendered.omittedItems).toBe(500);
    const text: string = parse(rendered.body).markdown.text;
    expect(text).toContain(`…另有 ${rendered.omittedItems} 条`);
    expect(text).toContain(item(rendered.includedItems - 1).markdown);
    expect(text).not.toContain(item(rendered.includedItems).markdown);
    expect(text.endsWith('@13800000000 @user_001')).toBe(true);
  });

  it('says "…and N more" in English', () => {
    const notification: RenderedNotification = {
      ...NOTIFICATION,
      locale: 'en',
      items: Array.from({ length: 500 }, (_, i) => item(i)),
    };
    const rendered = renderDingtalkMessage(notification, ROBOT);
    expect(parse(rendered.body).markdown.text).toContain(`…and ${rendered.omittedItems} more`);
  });

  it('shortens a single oversized event at a safe boundary instead of dropping it', () => {
    const huge = `- **db-1** down\n- detail: ${'**慢查询** [链接](https://x/y) '.repeat(2000)}`;
    const notification = { ...NOTIFICATION, items: [{ severity: 'P1' as const, markdown: huge }] };
    const rendered = renderDingtalkMessage(notification, ROBOT);
    const text: string = parse(rendered.body).markdown.text;
    expect(rendered).toMatchObject({ includedItems: 1, omittedItems: 0 });
    expect(rendered.byteLength).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
    expect(rendered.byteLength).toBeGreaterThan(DINGTALK_MAX_BODY_BYTES - 200);
    expect(text).toContain('- **db-1** down\n');
    expect(text).toContain('…\n\n[查看]');
    expect(isClosedMarkdown(text)).toBe(true);
  });

  it('stops at the first event that does not fit rather than skipping ahead to smaller ones', () => {
    const notification = {
      ...NOTIFICATION,
      items: [
        { severity: 'P1' as const, markdown: 'first' },
        { severity: 'P2' as const, markdown: 'x'.repeat(25_000) },
        { severity: 'P3' as const, markdown: 'third' },
      ],
    };
    const rendered = renderDingtalkMessage(notification, ROBOT);
    expect(rendered).toMatchObject({ includedItems: 1, omittedItems: 2 });
    expect(parse(rendered.body).markdown.text).toContain('…另有 2 条');
  });

  it('shortens an oversized summary to half the room, keeping the title, events, links and mentions', () => {
    const notification = { ...NOTIFICATION, summary: '**汇总** '.repeat(5000) };
    const rendered = renderDingtalkMessage(notification, ROBOT);
    const text: string = parse(rendered.body).markdown.text;
    expect(rendered.byteLength).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
    expect(rendered.byteLength).toBeLessThan(DINGTALK_MAX_BODY_BYTES * 0.6);
    expect(rendered).toMatchObject({ includedItems: 1, omittedItems: 0 });
    expect(text.startsWith('#### \\[P2 报警\\]')).toBe(true);
    expect(text).toContain(`…\n\n${NOTIFICATION.items[0]!.markdown}`);
    expect(text.endsWith('@13800000000 @user_001')).toBe(true);
    expect(isClosedMarkdown(text)).toBe(true);
  });
});

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function generators(random: () => number) {
  const int = (max: number) => Math.floor(random() * (max + 1));
  const pick = <T>(values: readonly T[]): T => values[int(values.length - 1)]!;
  const pieces = [
    () => String.fromCodePoint(0x4e00 + int(0x51a5)), // CJK
    () => pick(['😀', '🚨', '👍🏽']), // surrogate pairs
    () => pick(['*', '_', '[', ']', '(', ')', '#', '<', '>', '`', '\\', '"', '\n', '\u0001', ' ']),
    () => pick(['alert', 'order-service', '报警', 'JVM_FullGC', '10.0.0.7', 'P1']),
  ];
  const text = (maxLength: number) => {
    const length = int(maxLength);
    let out = '';
    for (let i = 0; i < length; i += 1) out += pick(pieces)();
    return out;
  };
  const size = () => pick([0, 10, 200, 2_000, 30_000]);
  return { int, pick, text, size };
}

function randomCase(seed: number): {
  notification: RenderedNotification;
  robot: DingtalkRobotConfig;
  msgUuid?: string;
} {
  const random = randomSource(seed);
  const { int, pick, text, size } = generators(random);
  const severity = () => pick(['P1', 'P2', 'P3', 'P4'] as const);
  const itemCount = pick([0, 1, 3, 50, 500, 3_000]);
  const itemSize = pick([20, 200, 2_000]);
  const items = Array.from({ length: itemCount }, (_, index) => ({
    severity: severity(),
    // Templates escape user values; links and bold are the constructs a cut must not break.
    markdown: `- **${escapeMarkdownInline(text(20))}** ${escapeMarkdownInline(text(itemSize))} [查看](https://tocsin.example/e/${index})`,
  }));
  const robot: DingtalkRobotConfig = {
    webhook: 'https://oapi.dingtalk.com/robot/send?access_token=abc',
    secret: null,
    keywords: Array.from({ length: pick([0, 1, 3]) }, () =>
      pick(['告警', 'alert', '[P1]', '*ops*', 'Tocsin 监控', text(5) || 'x']),
    ),
    atMobiles: Array.from(
      { length: pick([0, 1, 50]) },
      (_, i) => pick(['138', '+852-', '139']) + String(10_000_000 + i * 7),
    ),
    atUserIds: Array.from({ length: pick([0, 2, 50]) }, (_, i) => `user_${i}_${'u'.repeat(int(90))}`),
    atAll: random() < 0.2,
    messageType: pick(['markdown', 'actionCard', 'text'] as const),
  };
  const notification: RenderedNotification = {
    kind: pick(['firing', 'resolved', 'test'] as const),
    title: text(pick([0, 20, 300])),
    summary: escapeMarkdownInline(text(size())),
    items,
    links: Array.from({ length: pick([0, 3, 5]) }, (_, i) => ({
      title: text(6),
      url: `https://tocsin.example/a (${i})`,
    })),
    locale: pick(['zh-CN', 'en'] as const),
  };
  return random() < 0.3 ? { notification, robot, msgUuid: `uuid-${seed}` } : { notification, robot };
}

describe('renderDingtalkMessage properties over random notifications', () => {
  const seeds = Array.from({ length: 150 }, (_, i) => i + 1);

  it.each(seeds)(
    'seed %i: body ≤ 20000 bytes, keyword in title and text, mentions in text, counts add up',
    (seed) => {
      const { notification, robot, msgUuid } = randomCase(seed);
      const rendered = renderDingtalkMessage(notification, robot, { msgUuid });
      expect(rendered.byteLength).toBe(Buffer.byteLength(rendered.body, 'utf8'));
      expect(rendered.byteLength).toBeLessThanOrEqual(DINGTALK_MAX_BODY_BYTES);
      expect(rendered.includedItems + rendered.omittedItems).toBe(notification.items.length);

      const message = parse(rendered.body);
      const { title, text } = titleAndText(message);
      const keywords = requiredKeywords(robot, notification.locale);
      expect(keywords.some((keyword) => text.includes(keyword))).toBe(true);
      if (title !== undefined) expect(keywords.some((keyword) => title.includes(keyword))).toBe(true);

      if (message.msgtype !== 'actionCard') {
        for (const value of [...robot.atMobiles, ...robot.atUserIds]) expect(text).toContain(`@${value}`);
        expect(message.at?.atMobiles ?? []).toEqual(robot.atMobiles);
        expect(message.at?.atUserIds ?? []).toEqual(robot.atUserIds);
        expect(message.at?.atDingtalkIds ?? []).toEqual(robot.atUserIds);
      }
      if (message.msgtype !== 'text') {
        // A keyword written verbatim is its own paragraph, so a stray `[` or `*` in it ends there.
        const verbatimKeyword = `${keywords[0]}\n\n`;
        const rest = text.startsWith(verbatimKeyword) ? text.slice(verbatimKeyword.length) : text;
        expect(isClosedMarkdown(rest)).toBe(true);
      }
      if (rendered.omittedItems > 0) {
        const more =
          notification.locale === 'en'
            ? `…and ${rendered.omittedItems} more`
            : `…另有 ${rendered.omittedItems} 条`;
        expect(text).toContain(more);
      }
      if (msgUuid !== undefined) expect(message.msgUuid).toBe(msgUuid);
    },
  );
});
