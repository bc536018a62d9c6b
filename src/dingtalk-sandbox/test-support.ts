// Helpers for the sandbox's own tests: start a sandbox on port 0 with a manual clock, and post to it
// over real HTTP the way a DingTalk client would (signed or not, raw query or encoded once).
import { createManualClock, type ManualClock } from './sandbox-clock.js';
import type { SandboxOptions } from './sandbox-options.js';
import { startSandbox, type RunningSandbox } from './server.js';
import { computeSign } from './signature.js';

/** 2025-01-01T01:00:00Z, the timestamp of the first sign test vector of dingtalk-robot.md §2b. */
export const VECTOR_1 = {
  timestamp: 1_735_693_200_000,
  secret: 'SEC045ae0433d866d0019a47f441d3da2c3c5862b8a8c46f8ab1de83a6fb0b9a54c',
  sign: 'BSe0QzwtBdzTlEnmaVptmDApFF/EyDdmvpE/DajHtoE=',
  encodedSign: 'BSe0QzwtBdzTlEnmaVptmDApFF%2FEyDdmvpE%2FDajHtoE%3D',
} as const;

export const VECTOR_2 = {
  timestamp: 1_700_000_000_000,
  secret: 'SEC0123456789abcdef',
  sign: 'TSZbRFUuvaSQaRKUpF970OPCb2/LcQAP3wOvwZIzBZk=',
  encodedSign: 'TSZbRFUuvaSQaRKUpF970OPCb2%2FLcQAP3wOvwZIzBZk%3D',
} as const;

export interface TestSandbox {
  readonly sandbox: RunningSandbox;
  readonly clock: ManualClock;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const clock = createManualClock(VECTOR_1.timestamp);
  const sandbox = await startSandbox({ host: '127.0.0.1', port: 0, clock, ...options });
  return { sandbox, clock };
}

export interface RobotReply {
  readonly status: number;
  readonly contentType: string | null;
  readonly text: string;
  /** The parsed body, or undefined when it was not JSON. */
  readonly json: { readonly errcode: number; readonly errmsg: string } | undefined;
}

export interface PostOptions {
  /** Appended to the URL as is (no encoding). */
  readonly rawQuery?: string;
  readonly contentType?: string | null;
  /** A string is sent as is; anything else is JSON.stringify'd. */
  readonly body?: unknown;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export async function postToRobot(
  sandbox: RunningSandbox,
  path: string,
  options: PostOptions = {},
): Promise<RobotReply> {
  const query = options.rawQuery === undefined ? '' : `?${options.rawQuery}`;
  const headers: Record<string, string> = { ...options.headers };
  const contentType = options.contentType === undefined ? 'application/json' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const method = options.method ?? 'POST';
  const response = await fetch(`${sandbox.url}${path}${query}`, {
    method,
    headers,
    ...(options.body !== undefined && {
      body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    }),
  });
  const text = await response.text();
  let json: RobotReply['json'];
  try {
    json = JSON.parse(text) as RobotReply['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), text, json };
}

/** Posts `body` to the robot endpoint for `token`, with `extraQuery` (already encoded) appended. */
export function sendMessage(
  sandbox: RunningSandbox,
  token: string,
  body: unknown,
  extraQuery = '',
): Promise<RobotReply> {
  const query = `access_token=${encodeURIComponent(token)}${extraQuery === '' ? '' : `&${extraQuery}`}`;
  return postToRobot(sandbox, '/robot/send', { rawQuery: query, body });
}

/** The `timestamp=…&sign=…` query of a correctly signed request at `timestamp`, sign encoded once. */
export function signedQuery(secret: string, timestamp: number): string {
  const params = new URLSearchParams({
    timestamp: String(timestamp),
    sign: computeSign(String(timestamp), secret),
  });
  return params.toString();
}

export function textMessage(content: string, at?: Record<string, unknown>): Record<string, unknown> {
  return { msgtype: 'text', text: { content }, ...(at && { at }) };
}
