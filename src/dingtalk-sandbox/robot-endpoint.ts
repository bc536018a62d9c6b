// `/robot/send`: one request in, DingTalk's answer out, in the order of dingtalk-robot.md §9 — method,
// token, robot state, Content-Type, size, JSON, IP, signature, msgtype schema, keywords, msgUuid,
// rate limit — recording the attempt and, when accepted, the message.
import * as answers from './dingtalk-errors.js';
import type { DingTalkAnswer } from './dingtalk-errors.js';
import type { FaultSpec } from './fault-injection.js';
import { isIpAllowed } from './ip-allow-list.js';
import { containsKeyword } from './keyword-match.js';
import { deriveMentions } from './mentions.js';
import { checkPayload, isRecord } from './message-schemas.js';
import type { SandboxState } from './sandbox-state.js';
import { verifySignature } from './signature.js';

/** The parts of an HTTP request the robot endpoint looks at. */
export interface RobotRequest {
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?`, decoded here as DingTalk does. */
  readonly rawQuery: string;
  readonly contentType: string | undefined;
  /** undefined when the request had no body. */
  readonly rawBody: Buffer | undefined;
  readonly clientIp: string;
}

export type RobotResponse =
  | { readonly kind: 'json'; readonly httpStatus: number; readonly answer: DingTalkAnswer }
  | { readonly kind: 'raw'; readonly httpStatus: number; readonly contentType: string; readonly body: string }
  | { readonly kind: 'disconnect' };

interface Verdict {
  readonly answer: DingTalkAnswer;
  readonly body: unknown;
  readonly messageId: number | null;
  readonly duplicate: boolean;
}

const GATEWAY_PAGE = (status: number) =>
  `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n</body>\r\n</html>\r\n`;

function decodeQuery(rawQuery: string): Record<string, string> {
  const query: Record<string, string> = {};
  // URLSearchParams decodes like a form: `+` becomes a space, which is what breaks unencoded signs.
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    if (!(key in query)) query[key] = value;
  }
  return query;
}

function isJsonContentType(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

function parseJsonObject(rawBody: Buffer | undefined): Readonly<Record<string, unknown>> | undefined {
  if (rawBody === undefined || rawBody.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(rawBody));
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function faultResponse(fault: FaultSpec): RobotResponse | undefined {
  switch (fault.kind) {
    case 'http-status': {
      const status = fault.status ?? 503;
      return fault.body === undefined
        ? { kind: 'raw', httpStatus: status, contentType: 'text/html', body: GATEWAY_PAGE(status) }
        : { kind: 'raw', httpStatus: status, contentType: 'application/json', body: fault.body };
    }
    case 'errcode': {
      const errcode = fault.errcode ?? -1;
      return {
        kind: 'json',
        httpStatus: 200,
        answer: { errcode, errmsg: fault.errmsg ?? answers.knownErrmsg(errcode) },
      };
    }
    case 'disconnect':
      return { kind: 'disconnect' };
    case 'latency':
      return undefined;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs every check of §9 in order and returns the verdict; records the message when accepted. */
function judge(
  state: SandboxState,
  request: RobotRequest,
  query: Record<string, string>,
  nowMs: number,
): Verdict {
  const { settings } = state;
  const reject = (answer: DingTalkAnswer, body: unknown = null): Verdict => ({
    answer,
    body,
    messageId: null,
    duplicate: false,
  });

  if (request.method !== 'POST') return reject(answers.postRequired());
  const token = query.access_token;
  if (token === undefined || token === '') return reject(answers.missingAccessToken());
  const robot = state.robots.get(token);
  if (!robot) return reject(answers.unknownToken(settings.unknownTokenCode));
  if (robot.state === 'disabled') return reject(answers.robotDisabled());
  if (robot.state === 'groupDissolved') return reject(answers.groupDissolved());

  if (!isJsonContentType(request.contentType)) return reject(answers.invalidContentType());
  const bodyBytes = request.rawBody?.length ?? 0;
  if (bodyBytes > settings.maxBodyBytes) {
    return reject(answers.bodyTooLarge(settings.errmsgStyle, settings.maxBodyBytes));
  }
  const body = parseJsonObject(request.rawBody);
  if (body === undefined) return reject(answers.missingJson());

  if (robot.ipAllowList.length > 0 && !isIpAllowed(request.clientIp, robot.ipAllowList)) {
    return reject(answers.ipNotAllowed(request.clientIp), body);
  }
  if (robot.secret !== undefined) {
    const verdict = verifySignature({
      secret: robot.secret,
      timestamp: query.timestamp,
      sign: query.sign,
      nowMs,
      toleranceMs: settings.timestampToleranceMs,
    });
    if (verdict === 'expired') return reject(answers.timestampExpired(settings.errmsgStyle), body);
    if (verdict === 'sign-mismatch') return reject(answers.signMismatch(settings.errmsgStyle), body);
  }

  const payload = checkPayload(body, settings.allowImageMessages);
  if (!payload.ok) {
    return reject(
      payload.problem === 'unsupported-msgtype'
        ? answers.unsupportedMsgtype(settings.payloadErrorStyle)
        : answers.missingParam(settings.payloadErrorStyle, payload.field),
      body,
    );
  }
  // An image has no text to search; DingtalkChatbot #44 saw only images pass a keyword robot.
  if (
    robot.keywords.length > 0 &&
    payload.msgtype !== 'image' &&
    !containsKeyword({
      body,
      keywords: robot.keywords,
      fields: settings.keywordFields,
      caseSensitive: settings.keywordCaseSensitive,
    })
  ) {
    return reject(answers.keywordsNotInContent(settings.errmsgStyle), body);
  }

  const msgUuid = typeof body.msgUuid === 'string' && body.msgUuid !== '' ? body.msgUuid : null;
  if (msgUuid !== null) {
    const earlier = state.msgUuids.delivered(token, msgUuid, nowMs);
    if (earlier !== undefined)
      return { answer: answers.OK_ANSWER, body, messageId: earlier, duplicate: true };
  }
  if (!state.rateLimiter.admit(token, nowMs)) {
    return reject(answers.sendTooFast(settings.rateLimit.code, settings.rateLimit.perMinute), body);
  }

  const message = state.log.addMessage({
    receivedAt: nowMs,
    token,
    msgtype: payload.msgtype,
    body,
    bodyBytes,
    msgUuid,
    mentions: deriveMentions(payload.msgtype, body),
  });
  if (msgUuid !== null) state.msgUuids.remember(token, msgUuid, nowMs, message.id);
  return { answer: answers.OK_ANSWER, body, messageId: message.id, duplicate: false };
}

/** Answers one request to the robot endpoint (any method) and records the attempt. */
export async function handleRobotRequest(state: SandboxState, request: RobotRequest): Promise<RobotResponse> {
  const clock = state.settings.clock;
  const receivedAt = clock.now();
  const query = decodeQuery(request.rawQuery);
  const token = query.access_token || null;
  const rawBodyText = request.rawBody?.toString('utf8') ?? '';
  const bodyBytes = request.rawBody?.length ?? 0;
  const record = (response: RobotResponse, verdict: Verdict | null, fault: FaultSpec | undefined) => {
    state.log.addAttempt({
      receivedAt,
      method: request.method,
      path: request.path,
      query,
      token,
      clientIp: request.clientIp,
      httpStatus: response.kind === 'disconnect' ? null : response.httpStatus,
      errcode: response.kind === 'json' ? response.answer.errcode : null,
      errmsg: response.kind === 'json' ? response.answer.errmsg : null,
      body:
        verdict?.body ??
        (bodyBytes <= state.settings.maxBodyBytes ? (parseJsonObject(request.rawBody) ?? null) : null),
      bodyBytes,
      fault: fault?.kind ?? null,
      messageId: verdict?.messageId ?? null,
      duplicate: verdict?.duplicate ?? false,
    });
  };

  const fault = state.faults.take({ token, rawBody: rawBodyText, nowMs: receivedAt });
  if (fault !== undefined) {
    if (fault.kind === 'latency') {
      await delay(fault.latencyMs ?? 0);
    } else {
      const response = faultResponse(fault);
      if (response !== undefined) {
        record(response, null, fault);
        return response;
      }
    }
  }

  const verdict = judge(state, request, query, clock.now());
  const response: RobotResponse = { kind: 'json', httpStatus: 200, answer: verdict.answer };
  record(response, verdict, fault);
  return response;
}

/** Answers and records a request to a path DingTalk does not serve. */
export function handleUnknownPath(state: SandboxState, request: RobotRequest): RobotResponse {
  return answerUnread(state, request, 404, answers.unknownUri(), request.rawBody?.length ?? 0);
}

/**
 * Answers and records a body too large even to read (beyond the server's hard limit, far above
 * DingTalk's): 460101 like any other oversized message.
 */
export function handleUnreadableBody(
  state: SandboxState,
  request: RobotRequest,
  bodyBytes: number,
): RobotResponse {
  const { errmsgStyle, maxBodyBytes } = state.settings;
  return answerUnread(state, request, 200, answers.bodyTooLarge(errmsgStyle, maxBodyBytes), bodyBytes);
}

function answerUnread(
  state: SandboxState,
  request: RobotRequest,
  httpStatus: number,
  answer: DingTalkAnswer,
  bodyBytes: number,
): RobotResponse {
  const response: RobotResponse = { kind: 'json', httpStatus, answer };
  const query = decodeQuery(request.rawQuery);
  state.log.addAttempt({
    receivedAt: state.settings.clock.now(),
    method: request.method,
    path: request.path,
    query,
    token: query.access_token || null,
    clientIp: request.clientIp,
    httpStatus,
    errcode: answer.errcode,
    errmsg: answer.errmsg,
    body: null,
    bodyBytes,
    fault: null,
    messageId: null,
    duplicate: false,
  });
  return response;
}
