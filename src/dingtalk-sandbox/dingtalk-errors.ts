// DingTalk's answers: every errcode the sandbox gives and its errmsg in the two observed generations
// (dingtalk-robot.md §5.2): `legacy` short English (≈2019–2021) and `current` `description:…;solution:…`.

/** Which generation of errmsg wording the sandbox answers with. */
export type ErrmsgStyle = 'current' | 'legacy';

/** The JSON body of every DingTalk answer, success included. */
export interface DingTalkAnswer {
  readonly errcode: number;
  readonly errmsg: string;
}

export const OK_ANSWER: DingTalkAnswer = { errcode: 0, errmsg: 'ok' };

const LEGACY_MORE = ', more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]';

export function missingAccessToken(): DingTalkAnswer {
  return { errcode: 40035, errmsg: '缺少参数 access_token' };
}

export function missingJson(): DingTalkAnswer {
  return { errcode: 40035, errmsg: '缺少参数 json' };
}

export function postRequired(): DingTalkAnswer {
  return { errcode: 43002, errmsg: '需要POST请求' };
}

export function invalidContentType(): DingTalkAnswer {
  return { errcode: 43004, errmsg: '无效的HTTP HEADER Content-Type' };
}

export function unknownUri(): DingTalkAnswer {
  return { errcode: 404, errmsg: '请求的URI地址不存在' };
}

/** The codes seen for an unknown token: 300005 live today, 300001 earlier, 400101 in the docs. */
export type UnknownTokenCode = 300005 | 300001 | 400101;

export function unknownToken(code: UnknownTokenCode): DingTalkAnswer {
  return code === 400101
    ? { errcode: 400101, errmsg: 'access_token不存在' }
    : { errcode: code, errmsg: 'token is not exist' };
}

export function robotDisabled(): DingTalkAnswer {
  return { errcode: 400102, errmsg: '机器人已停用' };
}

export function groupDissolved(): DingTalkAnswer {
  return { errcode: 400013, errmsg: '群已被解散' };
}

export function bodyTooLarge(style: ErrmsgStyle, maxBytes: number): DingTalkAnswer {
  return {
    errcode: 460101,
    errmsg:
      style === 'legacy'
        ? `message too long, exceed ${maxBytes} bytes`
        : `description: body 大小不合法;solution:请保持大小在 ${maxBytes}bytes 以内;`,
  };
}

export function ipNotAllowed(clientIp: string): DingTalkAnswer {
  // No current-generation wording for this case was ever observed (dingtalk-robot.md §2c).
  return { errcode: 310000, errmsg: `ip ${clientIp} not in whitelist` };
}

export function signMismatch(style: ErrmsgStyle): DingTalkAnswer {
  return {
    errcode: 310000,
    errmsg:
      style === 'legacy'
        ? `sign not match${LEGACY_MORE}`
        : 'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;link:请参考本接口对应文档获得具体要求，或者在https://open.dingtalk.com/document/  搜索相关文档;',
  };
}

export function timestampExpired(style: ErrmsgStyle): DingTalkAnswer {
  return {
    errcode: 310000,
    errmsg:
      style === 'legacy'
        ? `invalid timestamp${LEGACY_MORE}`
        : 'description:机器人发送签名过期;solution:签名生成时间和发送时间请保持在 timestampms 以内;',
  };
}

export function keywordsNotInContent(style: ErrmsgStyle): DingTalkAnswer {
  return {
    errcode: 310000,
    errmsg:
      style === 'legacy'
        ? `keywords not in content${LEGACY_MORE}`
        : 'description:关键词不匹配;solution:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;',
  };
}

/** The codes seen for rate limiting: 130101 observed live, 410100 in the newer docs table. */
export type RateLimitCode = 130101 | 410100;

export function sendTooFast(code: RateLimitCode, perMinute: number): DingTalkAnswer {
  return code === 410100
    ? { errcode: 410100, errmsg: '发送速度太快而限流' }
    : { errcode: 130101, errmsg: `send too fast, exceed ${perMinute} times per minute` };
}

/** How payload errors are answered: 400105/400403 (current) or the overloaded legacy 300001. */
export type PayloadErrorStyle = 'current' | 'legacy';

export function unsupportedMsgtype(style: PayloadErrorStyle): DingTalkAnswer {
  return style === 'legacy'
    ? { errcode: 300001, errmsg: 'message msgtype not support' }
    : { errcode: 400105, errmsg: '不支持的消息类型' };
}

/** `field` is a path such as `markdown->text` or `feedCard->links[0]->picURL`. */
export function missingParam(style: PayloadErrorStyle, field: string): DingTalkAnswer {
  return style === 'legacy'
    ? { errcode: 300001, errmsg: 'message param title or text is null ' }
    : { errcode: 400403, errmsg: `miss param : ${field}` };
}

/** Known errmsgs for codes a test may force by fault injection without giving a message. */
const KNOWN_ERRMSGS: Readonly<Record<number, string>> = {
  [-1]: '系统繁忙',
  0: 'ok',
  130101: 'send too fast, exceed 20 times per minute',
  300001: 'param error',
  300005: 'token is not exist',
  400013: '群已被解散',
  400101: 'access_token不存在',
  400102: '机器人已停用',
  400105: '不支持的消息类型',
  400106: '机器人不存在',
  410100: '发送速度太快而限流',
  430101: '含有不安全的外链',
  430102: '含有不合适的文本',
  430103: '含有不合适的图片',
  430104: '含有不合适的内容',
};

export function knownErrmsg(errcode: number): string {
  return KNOWN_ERRMSGS[errcode] ?? `error ${errcode}`;
}
