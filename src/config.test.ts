import { describe, expect, it } from 'vitest';
import { ConfigError, loadClientConfig, loadServerConfig, parseDuration } from './config.js';

describe('server configuration', () => {
  it('defaults to 127.0.0.1:9700 with data in ./data and a 60 s evaluation interval', () => {
    const config = loadServerConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 9700,
      dataDir: './data',
      databaseUrl: null,
      evaluationIntervalMs: 60_000,
      publicUrl: 'http://127.0.0.1:9700',
      allowedWebhookOrigins: [],
    });
  });

  it('writes notifications in Chinese unless told to write them in English', () => {
    expect(loadServerConfig({}).notificationLocale).toBe('zh-CN');
    expect(loadServerConfig({ TOCSIN_NOTIFICATION_LOCALE: 'en' }).notificationLocale).toBe('en');
    expect(() => loadServerConfig({ TOCSIN_NOTIFICATION_LOCALE: 'fr' })).toThrow(
      'TOCSIN_NOTIFICATION_LOCALE: must be zh-CN or en',
    );
  });

  it('lets flags override the environment and reduces allowed origins to their origin', () => {
    const config = loadServerConfig(
      {
        TOCSIN_PORT: '9800',
        TOCSIN_ALLOWED_WEBHOOK_ORIGINS: 'http://127.0.0.1:9701/robot/send, https://hooks.example.com',
      },
      { TOCSIN_PORT: '9900' },
    );
    expect(config.port).toBe(9900);
    expect(config.allowedWebhookOrigins).toEqual(['http://127.0.0.1:9701', 'https://hooks.example.com']);
  });

  it('fails listing every bad setting at once', () => {
    let error: unknown;
    try {
      loadServerConfig({
        TOCSIN_PORT: 'abc',
        TOCSIN_HOST: 'example.com',
        TOCSIN_DATABASE_URL: 'mysql://x',
        TOCSIN_EVALUATION_INTERVAL: '2s',
        TOCSIN_ENCRYPTION_KEY: 'c2hvcnQ=',
        TOCSIN_ALLOWED_WEBHOOK_ORIGINS: 'not a url',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const settings = (error as ConfigError).problems.map((p) => p.setting).sort();
    expect(settings).toEqual([
      'TOCSIN_ALLOWED_WEBHOOK_ORIGINS',
      'TOCSIN_DATABASE_URL',
      'TOCSIN_ENCRYPTION_KEY',
      'TOCSIN_EVALUATION_INTERVAL',
      'TOCSIN_HOST',
      'TOCSIN_PORT',
    ]);
    expect((error as ConfigError).message).toContain('TOCSIN_EVALUATION_INTERVAL: must be at least 5s');
  });

  it('reads durations in ms, s, m and h, and bare numbers as seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('15')).toBe(15_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('soon')).toBeNull();
  });
});

describe('client configuration', () => {
  it('points the CLI at the local service unless told otherwise', () => {
    expect(loadClientConfig({})).toEqual({ url: 'http://127.0.0.1:9700', token: null });
    expect(
      loadClientConfig({ TOCSIN_URL: 'http://10.1.1.1:9700/', TOCSIN_TOKEN: 't' }, { TOCSIN_TOKEN: 'u' }),
    ).toEqual({
      url: 'http://10.1.1.1:9700',
      token: 'u',
    });
  });
});
