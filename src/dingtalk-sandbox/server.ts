// startSandbox: the DingTalk robot sandbox as a running HTTP server (its own fastify instance).
// `/robot/send` behaves like oapi.dingtalk.com; `/sandbox/api/*` and `/` let tests and humans see
// what each robot received.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { ReceivedMessage, SandboxAttempt } from './delivery-log.js';
import type { FaultSpec, PendingFault } from './fault-injection.js';
import { normalizeClientIp } from './ip-allow-list.js';
import type { RateLimitStatus } from './rate-limit.js';
import {
  handleRobotRequest,
  handleUnknownPath,
  handleUnreadableBody,
  type RobotRequest,
  type RobotResponse,
} from './robot-endpoint.js';
import { toRobotConfig, type RobotConfig } from './robot-registry.js';
import { registerSandboxApiRoutes } from './sandbox-api-routes.js';
import { resolveSandboxSettings, type SandboxOptions, type SandboxSettings } from './sandbox-options.js';
import { createSandboxState, resetSandboxState, type SandboxState } from './sandbox-state.js';

export const ROBOT_SEND_PATH = '/robot/send';

/** A started sandbox. Every method acts on the live server. */
export interface RunningSandbox {
  /** The base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly port: number;
  /** `${url}/robot/send?access_token=<token>`: what a contact's webhook should be. */
  webhookUrl(token: string): string;
  /** Accepted messages, oldest first; only the robot's when `token` is given. */
  messages(token?: string): readonly ReceivedMessage[];
  /** Every request to the robot endpoint (and unknown paths), oldest first. */
  attempts(token?: string): readonly SandboxAttempt[];
  robots(): readonly RobotConfig[];
  /** Adds a robot; throws RobotConfigError when invalid or the token is taken. */
  addRobot(robot: RobotConfig): void;
  /** Changes a robot (e.g. `{ state: 'disabled' }`); throws when the token is unknown or the result invalid. */
  updateRobot(token: string, changes: Omit<RobotConfig, 'token'>): void;
  removeRobot(token: string): boolean;
  /** Queues a fault; see fault-injection.ts. */
  injectFault(fault: FaultSpec): PendingFault;
  clearFaults(): void;
  rateLimitStatus(token: string): RateLimitStatus;
  /** Forgets messages, attempts, rate-limit windows, msgUuids and faults; keeps the robots. */
  reset(): void;
  close(): Promise<void>;
}

function clientIp(request: FastifyRequest, settings: SandboxSettings): string {
  if (settings.clientIpHeader !== undefined) {
    const header = request.headers[settings.clientIpHeader];
    const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim();
    if (first) return normalizeClientIp(first);
  }
  return normalizeClientIp(request.socket.remoteAddress ?? '');
}

function toRobotRequest(request: FastifyRequest, settings: SandboxSettings): RobotRequest {
  const question = request.url.indexOf('?');
  return {
    method: request.method,
    path: question < 0 ? request.url : request.url.slice(0, question),
    rawQuery: question < 0 ? '' : request.url.slice(question + 1),
    contentType: request.headers['content-type'],
    rawBody: Buffer.isBuffer(request.body) ? request.body : undefined,
    clientIp: clientIp(request, settings),
  };
}

function sendRobotResponse(reply: FastifyReply, response: RobotResponse): FastifyReply {
  switch (response.kind) {
    case 'json':
      return reply.code(response.httpStatus).type('application/json').send(JSON.stringify(response.answer));
    case 'raw':
      return reply.code(response.httpStatus).type(response.contentType).send(response.body);
    case 'disconnect':
      reply.hijack();
      reply.raw.socket?.destroy();
      return reply;
  }
}

function buildSandboxApp(state: SandboxState, options: SandboxOptions): FastifyInstance {
  const { settings } = state;
  // Large enough to read (and answer 460101 to) any realistic oversized message ourselves.
  const hardBodyLimit = Math.max(settings.maxBodyBytes * 10, 1024 * 1024);
  const app = Fastify({
    ...(options.log ? { loggerInstance: options.log } : { logger: false }),
    bodyLimit: hardBodyLimit,
    exposeHeadRoutes: false,
  });

  // Every body is read raw: DingTalk's size limit counts raw bytes, and a wrong Content-Type or broken
  // JSON must get DingTalk's answer (43004, 40035), not fastify's 415 or 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, function keepRawBody(_request, body, done) {
    done(null, body);
  });

  app.setErrorHandler(function answerError(
    error: { code?: string; statusCode?: number; message: string },
    request,
    reply,
  ) {
    const path = request.url.split('?')[0];
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && path === ROBOT_SEND_PATH) {
      const bodyBytes = Number(request.headers['content-length'] ?? Number.NaN);
      const unread = toRobotRequest(request, settings);
      return sendRobotResponse(reply, handleUnreadableBody(state, unread, bodyBytes || hardBodyLimit + 1));
    }
    const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
    return reply.code(status).send({ error: { code: error.code ?? 'internal', message: error.message } });
  });

  app.all(ROBOT_SEND_PATH, async function robotSend(request, reply) {
    return sendRobotResponse(reply, await handleRobotRequest(state, toRobotRequest(request, settings)));
  });
  registerSandboxApiRoutes(app, state);
  app.setNotFoundHandler(function unknownPath(request, reply) {
    return sendRobotResponse(reply, handleUnknownPath(state, toRobotRequest(request, settings)));
  });
  return app;
}

function formatBaseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * Starts a DingTalk robot sandbox and resolves once it listens.
 * @example
 * const clock = createManualClock(Date.parse('2025-01-01T01:00:00Z'));
 * const sandbox = await startSandbox({ port: 0, clock, robots: [{ token: 'ops', keywords: ['alert'] }] });
 * await fetch(sandbox.webhookUrl('ops'), { method: 'POST', headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ msgtype: 'text', text: { content: 'alert: CPU high' } }) });
 * sandbox.messages('ops'); // [{ msgtype: 'text', … }]
 * await sandbox.close();
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const settings = resolveSandboxSettings(options);
  const state = createSandboxState(settings, options.robots ?? []);
  const app = buildSandboxApp(state, options);
  await app.listen({ host: settings.host, port: settings.port });
  const port = (app.server.address() as AddressInfo).port;
  const url = formatBaseUrl(settings.host, port);

  return {
    url,
    port,
    webhookUrl: (token) => `${url}${ROBOT_SEND_PATH}?access_token=${encodeURIComponent(token)}`,
    messages: (token) => state.log.messages(token),
    attempts: (token) => state.log.attempts(token),
    robots: () => state.robots.list().map(toRobotConfig),
    addRobot: (robot) => void state.robots.add(robot),
    updateRobot(token, changes) {
      if (!state.robots.update(token, changes)) throw new Error(`no sandbox robot has token "${token}"`);
    },
    removeRobot: (token) => state.robots.remove(token),
    injectFault: (fault) => state.faults.inject(fault, settings.clock.now()),
    clearFaults: () => state.faults.clear(),
    rateLimitStatus: (token) => state.rateLimiter.status(token, settings.clock.now()),
    reset: () => resetSandboxState(state),
    close: () => app.close(),
  };
}
