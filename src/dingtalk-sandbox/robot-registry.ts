// The sandbox's robots: their configuration schema, the `--robot` spec and robots-file parsers, and the
// registry the server looks tokens up in. A robot mirrors what its owner set in the DingTalk client.
import { z } from 'zod';
import { parseIpv4Range, type Ipv4Range } from './ip-allow-list.js';

export const ROBOT_STATES = ['active', 'disabled', 'groupDissolved'] as const;
export type RobotState = (typeof ROBOT_STATES)[number];

/** One robot as configured (the input of `--robot`, the robots file and `POST /sandbox/api/robots`). */
export interface RobotConfig {
  /** The webhook's `access_token`. */
  readonly token: string;
  /** Shown on the page only. */
  readonly name?: string | undefined;
  /** The 加签 secret, `SEC…`; when set every request must be signed. */
  readonly secret?: string | undefined;
  /** 1–10 keywords; when set every message must contain one. */
  readonly keywords?: readonly string[] | undefined;
  /** IPv4 addresses or CIDR ranges; when set only these clients are served. */
  readonly ipAllowList?: readonly string[] | undefined;
  /** `disabled` answers 400102, `groupDissolved` 400013. Default `active`. */
  readonly state?: RobotState | undefined;
}

/** A robot in the registry, its allow-list parsed. */
export interface Robot {
  readonly token: string;
  readonly name: string | undefined;
  readonly secret: string | undefined;
  readonly keywords: readonly string[];
  readonly ipAllowList: readonly Ipv4Range[];
  readonly state: RobotState;
}

const ipRangeSchema = z.string().superRefine(function checkIpRange(text, context) {
  const parsed = parseIpv4Range(text);
  if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed });
});

/** The fields of a robot, without the rule that ties them together. */
export const robotFieldsSchema = z.strictObject({
  token: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1–128 characters of letters, digits, "_" or "-"'),
  name: z.string().min(1).max(100).optional(),
  secret: z
    .string()
    .regex(/^SEC[A-Za-z0-9]+$/, 'must be "SEC" followed by letters and digits, as DingTalk shows it')
    .optional(),
  keywords: z
    .array(z.string().min(1, 'a keyword must not be empty').max(100))
    .min(1, 'give 1–10 keywords or leave keywords out')
    .max(10, 'DingTalk allows at most 10 keywords')
    .optional(),
  ipAllowList: z.array(ipRangeSchema).min(1).max(100).optional(),
  state: z.enum(ROBOT_STATES).optional(),
});

/** The schema of one robot; real DingTalk requires at least one security setting at creation (§2). */
export const robotConfigSchema = robotFieldsSchema.refine(
  (robot) => robot.secret !== undefined || robot.keywords !== undefined || robot.ipAllowList !== undefined,
  { message: 'a DingTalk robot needs at least one security setting: secret, keywords or ipAllowList' },
);

/** A change to a robot (`PATCH /sandbox/api/robots/:token`): any field but the token. */
export const robotChangesSchema = robotFieldsSchema.omit({ token: true }).partial();

/** A robots file: a JSON array of robots, or `{ "robots": [...] }`. */
export const robotsFileSchema = z.union([
  z.array(robotConfigSchema),
  z.strictObject({ robots: z.array(robotConfigSchema) }),
]);

/** A robot configuration that cannot be used; `problems` lists every reason. */
export class RobotConfigError extends Error {
  readonly problems: readonly string[];

  constructor(context: string, problems: readonly string[]) {
    super(`${context}: ${problems.join('; ')}`);
    this.name = 'RobotConfigError';
    this.problems = problems;
  }
}

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map(function describeIssue(issue) {
    const path = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`,
      )
      .join('');
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
}

/** Validates one robot configuration (from any source) and returns it typed. */
export function validateRobotConfig(input: unknown, context = 'robot'): RobotConfig {
  const result = robotConfigSchema.safeParse(input);
  if (!result.success) throw new RobotConfigError(context, describeIssues(result.error));
  return result.data;
}

const SPEC_KEYS = ['token', 'name', 'secret', 'keywords', 'ip', 'state'] as const;
type SpecKey = (typeof SPEC_KEYS)[number];

function isSpecKey(key: string): key is SpecKey {
  return (SPEC_KEYS as readonly string[]).includes(key);
}

/**
 * Parses the CLI form of a robot: comma-separated `key=value` pairs; `keywords` and `ip` take several
 * values separated by `|`. A keyword containing `,` or `|` needs the robots file instead.
 * @example parseRobotSpec('token=ops,secret=SEC0123,keywords=alert|报警,ip=127.0.0.1/32')
 */
export function parseRobotSpec(text: string): RobotConfig {
  const context = `robot spec "${text}"`;
  const values = new Map<SpecKey, string>();
  const problems: string[] = [];
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const equals = pair.indexOf('=');
    if (equals < 0) {
      problems.push(`"${pair}" is not key=value`);
      continue;
    }
    const key = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    if (!isSpecKey(key)) {
      problems.push(`unknown key "${key}" (expected ${SPEC_KEYS.join(', ')})`);
    } else if (values.has(key)) {
      problems.push(`"${key}" is given twice`);
    } else {
      values.set(key, value);
    }
  }
  if (!values.has('token')) problems.push('token is required');
  if (problems.length > 0) throw new RobotConfigError(context, problems);

  const list = (value: string | undefined) => value?.split('|').map((item) => item.trim());
  return validateRobotConfig(
    {
      token: values.get('token'),
      name: values.get('name'),
      secret: values.get('secret'),
      keywords: list(values.get('keywords')),
      ipAllowList: list(values.get('ip')),
      state: values.get('state'),
    },
    context,
  );
}

/**
 * Parses the text of a robots file (JSON); tokens must be unique.
 * @example parseRobotsFile('[{"token":"ops","keywords":["alert"]}]')
 */
export function parseRobotsFile(text: string, fileName = 'robots file'): readonly RobotConfig[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RobotConfigError(fileName, [`not valid JSON (${(error as Error).message})`]);
  }
  const result = robotsFileSchema.safeParse(json);
  if (!result.success) throw new RobotConfigError(fileName, describeIssues(result.error));
  const robots = Array.isArray(result.data) ? result.data : result.data.robots;
  const seen = new Set<string>();
  const duplicates = robots.filter((robot) => seen.size === seen.add(robot.token).size);
  if (duplicates.length > 0) {
    throw new RobotConfigError(
      fileName,
      duplicates.map((robot) => `token "${robot.token}" is configured twice`),
    );
  }
  return robots;
}

function toRobot(config: RobotConfig): Robot {
  const valid = validateRobotConfig(config, `robot "${config.token}"`);
  return {
    token: valid.token,
    name: valid.name,
    secret: valid.secret,
    keywords: valid.keywords ?? [],
    ipAllowList: (valid.ipAllowList ?? []).map((text) => parseIpv4Range(text) as Ipv4Range),
    state: valid.state ?? 'active',
  };
}

/** The robots the sandbox serves, by token. */
export class RobotRegistry {
  readonly #robots = new Map<string, Robot>();

  constructor(configs: readonly RobotConfig[] = []) {
    for (const config of configs) this.add(config);
  }

  /** Adds a robot; throws RobotConfigError if it is invalid or its token is taken. */
  add(config: RobotConfig): Robot {
    const robot = toRobot(config);
    if (this.#robots.has(robot.token)) {
      throw new RobotConfigError(`robot "${robot.token}"`, ['a robot with this token already exists']);
    }
    this.#robots.set(robot.token, robot);
    return robot;
  }

  /** Replaces a robot's configuration (its token stays); returns undefined for an unknown token. */
  update(token: string, changes: Omit<RobotConfig, 'token'>): Robot | undefined {
    const current = this.#robots.get(token);
    if (!current) return undefined;
    const robot = toRobot({ ...toRobotConfig(current), ...changes, token });
    this.#robots.set(token, robot);
    return robot;
  }

  remove(token: string): boolean {
    return this.#robots.delete(token);
  }

  get(token: string): Robot | undefined {
    return this.#robots.get(token);
  }

  list(): readonly Robot[] {
    return [...this.#robots.values()];
  }
}

/** The configuration form of a registered robot (what the JSON API shows). */
export function toRobotConfig(robot: Robot): RobotConfig {
  return {
    token: robot.token,
    ...(robot.name !== undefined && { name: robot.name }),
    ...(robot.secret !== undefined && { secret: robot.secret }),
    ...(robot.keywords.length > 0 && { keywords: robot.keywords }),
    ...(robot.ipAllowList.length > 0 && { ipAllowList: robot.ipAllowList.map((range) => range.text) }),
    state: robot.state,
  };
}
