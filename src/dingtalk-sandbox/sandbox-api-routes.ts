// The sandbox's JSON API under /sandbox/api (for tests and humans) and its HTML page at `/` and
// `/robots/:token`. Bodies arrive as raw buffers (the whole app parses its own bodies) and are
// validated here; errors use the service's `{ error: { code, message, problems? } }` shape.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { faultSpecSchema } from './fault-injection.js';
import { renderSandboxPage } from './render-page.js';
import {
  describeIssues,
  RobotConfigError,
  robotChangesSchema,
  robotConfigSchema,
  toRobotConfig,
  type Robot,
} from './robot-registry.js';
import { resetSandboxState, type SandboxState } from './sandbox-state.js';

const PAGE_MESSAGES = 100;
const PAGE_ATTEMPTS = 50;

function sendError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  problems?: readonly string[],
) {
  return reply.code(status).send({ error: { code, message, ...(problems && { problems }) } });
}

function readJson(
  request: FastifyRequest,
): { readonly ok: true; readonly value: unknown } | { readonly ok: false } {
  const body = request.body;
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) };
  } catch {
    return { ok: false };
  }
}

function robotView(state: SandboxState, robot: Robot) {
  const now = state.settings.clock.now();
  return {
    ...toRobotConfig(robot),
    messageCount: state.log.messages(robot.token).length,
    attemptCount: state.log.attempts(robot.token).length,
    rateLimit: state.rateLimiter.status(robot.token, now),
  };
}

function tokenParam(request: FastifyRequest): string {
  return (request.params as { readonly token: string }).token;
}

function tokenQuery(request: FastifyRequest): string | undefined {
  const token = (request.query as Readonly<Record<string, unknown>>).token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

export function registerSandboxApiRoutes(app: FastifyInstance, state: SandboxState): void {
  const { robots, log, faults, settings } = state;

  app.get('/sandbox/api/robots', function listRobots() {
    return { items: robots.list().map((robot) => robotView(state, robot)) };
  });

  app.post('/sandbox/api/robots', function addRobot(request, reply) {
    const json = readJson(request);
    if (!json.ok) return sendError(reply, 400, 'invalid_json', 'The body must be a JSON robot.');
    const parsed = robotConfigSchema.safeParse(json.value);
    if (!parsed.success) {
      return sendError(reply, 400, 'invalid_robot', 'The robot is invalid.', describeIssues(parsed.error));
    }
    if (robots.get(parsed.data.token)) {
      return sendError(
        reply,
        409,
        'robot_exists',
        `A robot with token "${parsed.data.token}" already exists.`,
      );
    }
    return reply.code(201).send(robotView(state, robots.add(parsed.data)));
  });

  app.patch('/sandbox/api/robots/:token', function updateRobot(request, reply) {
    const json = readJson(request);
    if (!json.ok) return sendError(reply, 400, 'invalid_json', 'The body must be a JSON object of changes.');
    const parsed = robotChangesSchema.safeParse(json.value);
    if (!parsed.success) {
      return sendError(reply, 400, 'invalid_robot', 'The changes are invalid.', describeIssues(parsed.error));
    }
    try {
      const robot = robots.update(tokenParam(request), parsed.data);
      if (!robot) return sendError(reply, 404, 'robot_not_found', 'No robot has this token.');
      return robotView(state, robot);
    } catch (error) {
      if (!(error instanceof RobotConfigError)) throw error;
      return sendError(reply, 400, 'invalid_robot', 'The changed robot is invalid.', error.problems);
    }
  });

  app.delete('/sandbox/api/robots/:token', function removeRobot(request, reply) {
    if (!robots.remove(tokenParam(request))) {
      return sendError(reply, 404, 'robot_not_found', 'No robot has this token.');
    }
    return reply.code(204).send();
  });

  app.get('/sandbox/api/robots/:token/messages', function listRobotMessages(request, reply) {
    const token = tokenParam(request);
    if (!robots.get(token)) return sendError(reply, 404, 'robot_not_found', 'No robot has this token.');
    return { items: log.messages(token) };
  });

  app.get('/sandbox/api/messages', function listMessages(request) {
    return { items: log.messages(tokenQuery(request)) };
  });

  app.get('/sandbox/api/attempts', function listAttempts(request) {
    return { items: log.attempts(tokenQuery(request)) };
  });

  app.delete('/sandbox/api/messages', function reset(_request, reply) {
    resetSandboxState(state);
    return reply.code(204).send();
  });

  app.get('/sandbox/api/faults', function listFaults() {
    return { items: faults.list(settings.clock.now()) };
  });

  app.post('/sandbox/api/faults', function injectFault(request, reply) {
    const json = readJson(request);
    if (!json.ok) return sendError(reply, 400, 'invalid_json', 'The body must be a JSON fault.');
    const parsed = faultSpecSchema.safeParse(json.value);
    if (!parsed.success) {
      return sendError(reply, 400, 'invalid_fault', 'The fault is invalid.', describeIssues(parsed.error));
    }
    return reply.code(201).send(faults.inject(parsed.data, settings.clock.now()));
  });

  app.delete('/sandbox/api/faults', function clearFaults(_request, reply) {
    faults.clear();
    return reply.code(204).send();
  });

  function page(reply: FastifyReply, selectedToken: string | undefined) {
    const now = settings.clock.now();
    const html = renderSandboxPage({
      robots: robots.list().map((robot) => ({
        robot,
        messageCount: log.messages(robot.token).length,
        blockedUntil: state.rateLimiter.status(robot.token, now).blockedUntil,
      })),
      selectedToken,
      messages: log.messages(selectedToken).slice(-PAGE_MESSAGES).reverse(),
      attempts: log.attempts(selectedToken).slice(-PAGE_ATTEMPTS).reverse(),
      nowMs: now,
      refreshSeconds: settings.pageRefreshSeconds,
    });
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(html);
  }

  // Browsers ask for it on every refresh; answering keeps it out of the recorded attempts.
  app.get('/favicon.ico', function noFavicon(_request, reply) {
    return reply.code(204).send();
  });

  app.get('/', function allRobotsPage(_request, reply) {
    return page(reply, undefined);
  });

  app.get('/robots/:token', function robotPage(request, reply) {
    const token = tokenParam(request);
    if (!robots.get(token)) {
      return reply
        .code(404)
        .type('text/html; charset=utf-8')
        .send('<!doctype html><p>No robot has this token. <a href="/">All robots</a></p>');
    }
    return page(reply, token);
  });
}
