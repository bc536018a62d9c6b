// The CLI's copy of the server's secret masks must give the very same masks, or `apply` would report
// every contact with a secret as changed.
import { describe, expect, it } from 'vitest';
import { maskDingtalkSecret as serverDingtalkMask } from '../api/contacts/present.js';
import { maskSecret as serverMask, maskWebhookToken as serverWebhookMask } from '../domain/secret-mask.js';
import { isMasked, maskDingtalkSecret, maskSecret, maskWebhookToken } from './masked-secrets.js';

describe('masked secrets', () => {
  it('masks secrets, signing secrets and robot URLs exactly as the server presents them', () => {
    for (const secret of [
      'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c',
      'SECshort',
      'abcdefghijklmnop',
      'x',
    ]) {
      expect(maskSecret(secret)).toBe(serverMask(secret));
      expect(maskDingtalkSecret(secret)).toBe(serverDingtalkMask(secret));
    }
    for (const url of [
      'https://oapi.dingtalk.com/robot/send?access_token=1a2b3c4d5e6f7a8b9c0d',
      'https://oapi.dingtalk.com/robot/send?x=a b&access_token=short',
      'https://oapi.dingtalk.com/robot/send',
    ]) {
      expect(maskWebhookToken(url)).toBe(serverWebhookMask(url));
    }
  });

  it('leaves masked values and values that are not URLs as they are', () => {
    expect(maskSecret('SEC…a54c', 3)).toBe('SEC…a54c');
    expect(maskWebhookToken('not a url')).toBe('not a url');
    expect(isMasked('access_token=%E2%80%A69c0d')).toBe(true);
  });
});
