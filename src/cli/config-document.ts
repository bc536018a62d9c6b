// The configuration document of `export` and `apply`: top-level `datasources`, `contacts`, `contactGroups`,
// `alertPolicies`, `alertmanagerRoutes`; objects identified by name and referring to each other by name, never by id. This module
// converts between that file form and the API's objects, and fills the server's defaults so a hand-written
// file and the server's copy compare equal. Pure: no I/O.
import { CliError } from './cli-error.js';
import { isJsonObject, type JsonObject, type JsonValue, type ServerObject } from './json-value.js';
import { isSensitiveHeader, maskDingtalkSecret, maskSecret, maskWebhookToken } from './masked-secrets.js';
import {
  DOCUMENT_SECTIONS,
  RESOURCE_KIND_INFO,
  type DocumentSection,
  type ResourceKind,
} from './resource-kinds.js';

/** One object of the document: any fields, and always a name. */
export interface FileObject extends JsonObject {
  readonly name: string;
}

export type ConfigDocument = { readonly [S in DocumentSection]: readonly FileObject[] };

/** Finds the name of the object of `kind` with this id, or the id of the object with this name. */
export type Lookup = (kind: ResourceKind, key: string) => string | undefined;

const SERVER_OWNED_FIELDS = ['id', 'createdAt', 'updatedAt'] as const;

/** Fields that hold ids in the API but names in the document; the document must use the names. */
const ID_REFERENCES: readonly { section: DocumentSection; path: readonly string[]; useInstead: string }[] = [
  { section: 'contactGroups', path: ['contactIds'], useInstead: 'contacts: [name, …]' },
  { section: 'alertPolicies', path: ['datasourceId'], useInstead: 'datasource: NAME' },
  {
    section: 'alertPolicies',
    path: ['notification', 'contactGroupIds'],
    useInstead: 'notification.contactGroups: [name, …]',
  },
  { section: 'alertmanagerRoutes', path: ['contactGroupIds'], useInstead: 'contactGroups: [name, …]' },
];

function withoutServerFields(value: JsonObject): JsonObject {
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !(SERVER_OWNED_FIELDS as readonly string[]).includes(key)),
  );
}

function valueAt(value: JsonValue | undefined, path: readonly string[]): JsonValue | undefined {
  let current = value;
  for (const key of path) current = isJsonObject(current) ? current[key] : undefined;
  return current;
}

/**
 * Checks the shape of a parsed document: only the known sections, each a list of objects with a
 * unique name, references by name. Server-owned fields (id, createdAt, updatedAt) are dropped.
 * @example parseConfigDocument({ contacts: [{ name: 'ops', email: 'ops@example.com' }] }, 'ops.yaml')
 */
export function parseConfigDocument(value: JsonValue, source: string): ConfigDocument {
  if (!isJsonObject(value)) {
    throw new CliError(
      `${source} must be a mapping with the keys ${DOCUMENT_SECTIONS.join(', ')}` +
        (value === null ? ' (it is empty)' : ''),
    );
  }
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (!(DOCUMENT_SECTIONS as readonly string[]).includes(key)) {
      problems.push(`unknown top-level key "${key}" (the keys are ${DOCUMENT_SECTIONS.join(', ')})`);
    }
  }
  const sections = {} as Record<DocumentSection, FileObject[]>;
  for (const section of DOCUMENT_SECTIONS) {
    const list = value[section];
    sections[section] = [];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) {
      problems.push(`${section}: must be a list`);
      continue;
    }
    const seen = new Set<string>();
    list.forEach((item: JsonValue, i) => {
      const at = `${section}[${i}]`;
      if (!isJsonObject(item)) return problems.push(`${at}: must be a mapping`);
      if (typeof item.name !== 'string' || item.name.trim() === '') {
        return problems.push(`${at}.name: every object needs a name; names identify objects`);
      }
      const name = item.name.trim();
      if (seen.has(name)) problems.push(`${at}.name: "${name}" appears twice in ${section}`);
      seen.add(name);
      for (const reference of ID_REFERENCES) {
        if (reference.section === section && valueAt(item, reference.path) !== undefined) {
          problems.push(`${at}.${reference.path.join('.')}: refer by name instead: ${reference.useInstead}`);
        }
      }
      sections[section].push({ ...withoutServerFields(item), name });
    });
  }
  if (problems.length > 0) {
    throw new CliError(
      `${source} is not a valid Tocsin configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  return sections;
}

/** How one field is normalised: its default when absent, trimming, and the shape of nested objects. */
interface FieldRule {
  readonly fallback?: JsonValue;
  readonly trim?: boolean;
  readonly shape?: (value: JsonObject) => JsonObject;
  readonly each?: (value: JsonObject) => JsonObject;
}

/**
 * Fills defaults and puts the known fields first, in the API's order. Unknown fields are kept, so the
 * server names them in its answer rather than the CLI dropping them silently.
 */
function shapeObject(value: JsonObject, rules: Readonly<Record<string, FieldRule>>): JsonObject {
  const out: Record<string, JsonValue> = {};
  for (const [key, rule] of Object.entries(rules)) {
    let field = value[key];
    if (field === undefined) {
      if (!('fallback' in rule) || rule.fallback === undefined) continue;
      field = rule.fallback;
    }
    if (rule.trim && typeof field === 'string') field = field.trim();
    if (rule.shape && isJsonObject(field)) field = rule.shape(field);
    if (rule.each && Array.isArray(field)) {
      const each = rule.each;
      field = field.map((item: JsonValue) => (isJsonObject(item) ? each(item) : item));
    }
    out[key] = field;
  }
  for (const [key, field] of Object.entries(value)) {
    if (!(key in rules)) out[key] = field;
  }
  return out;
}

// The defaults below are the server's (src/domain/*.ts input schemas); config-document.test.ts checks
// that both agree, so a file that leaves a default out compares equal to the stored object.

function shapeDatasource(value: JsonObject): JsonObject {
  const shaped = shapeObject(value, {
    name: { trim: true },
    type: { fallback: 'prometheus' },
    url: {},
    basicAuth: { fallback: null },
    bearerToken: { fallback: null },
    timeoutSeconds: { fallback: 30 },
  });
  return typeof shaped.url === 'string' ? { ...shaped, url: shaped.url.replace(/\/+$/, '') } : shaped;
}

function shapeDingtalk(value: JsonObject): JsonObject {
  return shapeObject(value, {
    webhook: {},
    secret: { fallback: null },
    keywords: { fallback: [] },
    atMobiles: { fallback: [] },
    atUserIds: { fallback: [] },
    atAll: { fallback: false },
    messageType: { fallback: 'markdown' },
  });
}

function shapeWebhook(value: JsonObject): JsonObject {
  return shapeObject(value, {
    url: {},
    method: { fallback: 'POST' },
    headers: { fallback: {} },
    bodyTemplate: { fallback: null },
    secret: { fallback: null },
  });
}

function shapeContact(value: JsonObject): JsonObject {
  return shapeObject(value, {
    name: { trim: true },
    description: { fallback: null },
    dingtalk: { fallback: null, shape: shapeDingtalk },
    email: { fallback: null },
    phone: { fallback: null },
    webhook: { fallback: null, shape: shapeWebhook },
  });
}

function shapeContactGroup(value: JsonObject): JsonObject {
  return shapeObject(value, { name: { trim: true }, description: { fallback: null }, contacts: {} });
}

function shapeCondition(value: JsonObject): JsonObject {
  return shapeObject(value, {
    metric: {},
    windowMinutes: {},
    aggregation: { fallback: 'avg' },
    comparator: {},
    baseline: {},
    threshold: {},
  });
}

const DEFAULT_EFFECTIVE = {
  days: [1, 2, 3, 4, 5, 6, 7],
  from: '00:00',
  to: '24:00',
  timeZone: 'Asia/Shanghai',
};

function shapeEffective(value: JsonObject): JsonObject {
  return shapeObject(value, {
    days: { fallback: DEFAULT_EFFECTIVE.days },
    from: { fallback: DEFAULT_EFFECTIVE.from },
    to: { fallback: DEFAULT_EFFECTIVE.to },
    timeZone: { fallback: DEFAULT_EFFECTIVE.timeZone },
  });
}

function shapeNotification(value: JsonObject): JsonObject {
  return shapeObject(value, {
    channels: {},
    contactGroups: {},
    silenceMinutes: { fallback: 1440 },
    effective: { fallback: DEFAULT_EFFECTIVE, shape: shapeEffective },
    template: {
      fallback: null,
      shape: (template) => shapeObject(template, { title: { fallback: null }, body: { fallback: null } }),
    },
  });
}

function shapeAlertPolicy(value: JsonObject): JsonObject {
  return shapeObject(value, {
    name: { trim: true },
    description: { fallback: null },
    kind: {},
    // Optional but not nullable in the API, which leaves it out when unset; so does the document.
    target: { trim: true },
    // A custom policy's metric type is always "custom"; the server fills it in.
    metricType: value.kind === 'custom' ? { fallback: 'custom' } : {},
    datasource: {},
    expr: { trim: true },
    dimension: { fallback: { mode: 'none' }, shape: (d) => shapeObject(d, { mode: {}, key: {}, value: {} }) },
    rules: {
      shape: (rules) =>
        shapeObject(rules, { match: { fallback: 'all' }, conditions: { each: shapeCondition } }),
    },
    noData: { fallback: 'none' },
    forEvaluations: { fallback: 1 },
    recoveryMinutes: { fallback: 5 },
    noDataAction: { fallback: 'keep' },
    severity: { fallback: 'P3' },
    notification: { shape: shapeNotification },
    enabled: { fallback: true },
  });
}

/** A route's default severity mapping (domain/alertmanager-route.ts DEFAULT_SEVERITY_MAPPING). */
const DEFAULT_ROUTE_SEVERITY = {
  label: 'severity',
  values: { critical: 'P1', warning: 'P2', info: 'P4' },
  default: 'P3',
};

function shapeAlertmanagerRoute(value: JsonObject): JsonObject {
  return shapeObject(value, {
    name: { trim: true },
    description: { fallback: null },
    matchers: { fallback: [] },
    contactGroups: {},
    channels: {},
    severity: {
      fallback: DEFAULT_ROUTE_SEVERITY,
      shape: (severity) =>
        shapeObject(severity, {
          label: { fallback: DEFAULT_ROUTE_SEVERITY.label },
          values: { fallback: DEFAULT_ROUTE_SEVERITY.values },
          default: { fallback: DEFAULT_ROUTE_SEVERITY.default },
        }),
    },
    continue: { fallback: false },
    order: { fallback: 0 },
    silenceMinutes: { fallback: 1440 },
    timeZone: { fallback: 'Asia/Shanghai' },
  });
}

const SHAPERS: Record<ResourceKind, (value: JsonObject) => JsonObject> = {
  datasource: shapeDatasource,
  contact: shapeContact,
  'contact-group': shapeContactGroup,
  'alert-policy': shapeAlertPolicy,
  'alertmanager-route': shapeAlertmanagerRoute,
};

/** The object as the server would store it: defaults filled, known fields in the API's order. */
export function normalizeFileObject(kind: ResourceKind, value: FileObject): FileObject {
  return { ...SHAPERS[kind](value), name: value.name.trim() };
}

/** Replaces `from` by `to` at the same place among the keys, mapping its value. */
function renameField(
  value: JsonObject,
  from: string,
  to: string,
  map: (field: JsonValue) => JsonValue,
): JsonObject {
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => (key === from ? [to, map(field)] : [key, field])),
  );
}

function mapList(value: JsonValue, map: (item: string) => string): JsonValue {
  return Array.isArray(value)
    ? value.map((item: JsonValue) => (typeof item === 'string' ? map(item) : item))
    : value;
}

/** Converts an object as the API presents it into the document's form: references by name, no ids. */
export function fromServerObject(kind: ResourceKind, server: ServerObject, nameOf: Lookup): FileObject {
  let value = withoutServerFields(server);
  const name = (refKind: ResourceKind) => (id: string) => nameOf(refKind, id) ?? id;
  if (kind === 'contact-group') {
    value = renameField(value, 'contactIds', 'contacts', (ids) => mapList(ids, name('contact')));
  }
  if (kind === 'alertmanager-route') {
    value = renameField(value, 'contactGroupIds', 'contactGroups', (ids) =>
      mapList(ids, name('contact-group')),
    );
  }
  if (kind === 'alert-policy') {
    value = renameField(value, 'datasourceId', 'datasource', (id) =>
      typeof id === 'string' ? name('datasource')(id) : id,
    );
    if (isJsonObject(value.notification)) {
      value = {
        ...value,
        notification: renameField(value.notification, 'contactGroupIds', 'contactGroups', (ids) =>
          mapList(ids, name('contact-group')),
        ),
      };
    }
  }
  return normalizeFileObject(kind, { ...value, name: server.name });
}

/** The references an object makes, by kind, as written in the document (names). */
export function referencesOf(
  kind: ResourceKind,
  value: JsonObject,
): { kind: ResourceKind; key: string; field: string }[] {
  const strings = (list: JsonValue | undefined) =>
    Array.isArray(list) ? list.filter((item: JsonValue): item is string => typeof item === 'string') : [];
  if (kind === 'contact-group') {
    return strings(value.contacts).map((key, i) => ({
      kind: 'contact' as const,
      key,
      field: `contacts[${i}]`,
    }));
  }
  if (kind === 'alertmanager-route') {
    return strings(value.contactGroups).map((key, i) => ({
      kind: 'contact-group' as const,
      key,
      field: `contactGroups[${i}]`,
    }));
  }
  if (kind === 'alert-policy') {
    const groups = strings(valueAt(value, ['notification', 'contactGroups'])).map((key, i) => ({
      kind: 'contact-group' as const,
      key,
      field: `notification.contactGroups[${i}]`,
    }));
    const source =
      typeof value.datasource === 'string'
        ? [{ kind: 'datasource' as const, key: value.datasource, field: 'datasource' }]
        : [];
    return [...source, ...groups];
  }
  return [];
}

/** The request body for the API: references turned into ids with `idOf` (unknown keys pass unchanged). */
export function toApiBody(kind: ResourceKind, value: JsonObject, idOf: Lookup): JsonObject {
  const id = (refKind: ResourceKind) => (key: string) => idOf(refKind, key) ?? key;
  let body = withoutServerFields(value);
  if (kind === 'contact-group') {
    body = renameField(body, 'contacts', 'contactIds', (names) => mapList(names, id('contact')));
  }
  if (kind === 'alertmanager-route') {
    body = renameField(body, 'contactGroups', 'contactGroupIds', (names) =>
      mapList(names, id('contact-group')),
    );
  }
  if (kind === 'alert-policy') {
    body = renameField(body, 'datasource', 'datasourceId', (name) =>
      typeof name === 'string' ? id('datasource')(name) : name,
    );
    if (isJsonObject(body.notification)) {
      body = {
        ...body,
        notification: renameField(body.notification, 'contactGroups', 'contactGroupIds', (names) =>
          mapList(names, id('contact-group')),
        ),
      };
    }
  }
  return body;
}

function maskAt(value: JsonObject, key: string, mask: (secret: string) => string): JsonObject {
  const field = value[key];
  return typeof field === 'string' ? { ...value, [key]: mask(field) } : value;
}

/** The object with its secrets masked as the API would show them, to compare with the server's copy. */
export function maskFileObject(kind: ResourceKind, value: FileObject): FileObject {
  if (kind === 'contact') {
    let masked: FileObject = value;
    if (isJsonObject(value.dingtalk)) {
      const dingtalk = maskAt(
        maskAt(value.dingtalk, 'webhook', maskWebhookToken),
        'secret',
        maskDingtalkSecret,
      );
      masked = { ...masked, dingtalk };
    }
    if (isJsonObject(value.webhook) && isJsonObject(value.webhook.headers)) {
      const headers = Object.fromEntries(
        Object.entries(value.webhook.headers).map(([name, field]) => [
          name,
          typeof field === 'string' && isSensitiveHeader(name) ? maskSecret(field) : field,
        ]),
      );
      masked = { ...masked, webhook: maskAt({ ...value.webhook, headers }, 'secret', (s) => maskSecret(s)) };
    }
    return masked;
  }
  if (kind === 'datasource') {
    let masked: FileObject = maskAt(value, 'bearerToken', (s) => maskSecret(s)) as FileObject;
    if (isJsonObject(value.basicAuth)) {
      masked = { ...masked, basicAuth: maskAt(value.basicAuth, 'password', (s) => maskSecret(s)) };
    }
    return masked;
  }
  return value;
}

/** Drops null fields, recursively: the document leaves out what is not set. */
export function compactValue(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map((item: JsonValue) => compactValue(item));
  if (!isJsonObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, field]) => field !== null)
      .map(([key, field]) => [key, compactValue(field)]),
  );
}

/** An empty document, to fill section by section. */
export function emptyDocument(): Record<DocumentSection, FileObject[]> {
  return { datasources: [], contacts: [], contactGroups: [], alertPolicies: [], alertmanagerRoutes: [] };
}

/** The section of the document that lists objects of `kind`. */
export function sectionOf(kind: ResourceKind): DocumentSection {
  return RESOURCE_KIND_INFO[kind].section;
}
