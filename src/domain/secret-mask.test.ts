// Secrets leave the API masked and a masked value sent back keeps the stored secret; any other masked
// value is refused, since the client never knew the real one.
import { describe, expect, it } from 'vitest';
import { isMasked, isSensitiveHeader, maskSecret, maskWebhookToken, MASK, unmask } from './secret-mask.js';

const SECRET = 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c';

describe('maskSecret', () => {
  it('keeps the recognisable prefix and the last four characters of a DingTalk secret', () => {
    expect(maskSecret(SECRET, 3)).toBe('SEC…a54c');
  });

  it('keeps only the last four characters without a prefix', () => {
    expect(maskSecret('0123456789abcdef')).toBe('…cdef');
  });

  it('reveals no tail of a short secret, where four characters would be too much of it', () => {
    expect(maskSecret('12345678')).toBe(MASK);
    expect(maskSecret('SEC12345678', 3)).toBe('SEC…');
  });

  it('never returns the secret itself', () => {
    for (const secret of ['a', 'abcdefgh', 'abcdefghi', SECRET]) expect(maskSecret(secret)).not.toBe(secret);
  });
});

describe('maskWebhookToken', () => {
  it('masks the access_token and keeps the rest of the robot URL readable', () => {
    expect(maskWebhookToken('https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d')).toBe(
      'https://oapi.dingtalk.com/robot/send?access_token=…9c0d',
    );
  });

  it('keeps other query parameters, encoded', () => {
    expect(
      maskWebhookToken('http://127.0.0.1:9701/robot/send?x=a%20b&access_token=1a2b3c4d5e6f7a8b9c0d'),
    ).toBe('http://127.0.0.1:9701/robot/send?x=a%20b&access_token=…9c0d');
  });

  it('returns a URL without access_token unchanged', () => {
    expect(maskWebhookToken('https://hooks.example.com/x?y=1')).toBe('https://hooks.example.com/x?y=1');
  });

  it('produces a value that isMasked recognises', () => {
    expect(
      isMasked(maskWebhookToken('https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d')),
    ).toBe(true);
  });
});

describe('isMasked', () => {
  it('recognises the ellipsis, also percent-encoded as a URL would carry it', () => {
    expect(isMasked('SEC…a54c')).toBe(true);
    expect(isMasked('https://x/robot/send?access_token=%E2%80%A69c0d')).toBe(true);
  });

  it('does not take a real secret for a masked one', () => {
    expect(isMasked(SECRET)).toBe(false);
  });
});

describe('isSensitiveHeader', () => {
  it.each(['Authorization', 'X-Api-Key', 'X-Auth-Token', 'Cookie', 'X-Hub-Signature', 'X-Secret'])(
    'masks the credential header %s',
    (name) => {
      expect(isSensitiveHeader(name)).toBe(true);
    },
  );

  it.each(['Content-Type', 'X-Trace', 'Accept'])('shows the ordinary header %s', (name) => {
    expect(isSensitiveHeader(name)).toBe(false);
  });
});

describe('unmask', () => {
  const mask = (secret: string) => maskSecret(secret, 3);

  it('passes a real value through', () => {
    expect(unmask('SECnew0123456789', SECRET, mask)).toBe('SECnew0123456789');
  });

  it('keeps the stored secret when its own mask comes back', () => {
    expect(unmask('SEC…a54c', SECRET, mask)).toBe(SECRET);
  });

  it('refuses a masked value that is not the mask of the stored secret', () => {
    expect(unmask('SEC…zzzz', SECRET, mask)).toBeNull();
  });

  it('refuses a masked value when nothing is stored', () => {
    expect(unmask('SEC…a54c', undefined, mask)).toBeNull();
    expect(unmask('SEC…a54c', null, mask)).toBeNull();
  });
});
