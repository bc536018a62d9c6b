// The configuration resources the CLI manages, in the order `apply` must create them (a group needs its
// contacts, a policy or an Alertmanager route its groups and data source), with their API collection and
// document section.

export const RESOURCE_KINDS = [
  'datasource',
  'contact',
  'contact-group',
  'alert-policy',
  'alertmanager-route',
] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const DOCUMENT_SECTIONS = [
  'datasources',
  'contacts',
  'contactGroups',
  'alertPolicies',
  'alertmanagerRoutes',
] as const;
export type DocumentSection = (typeof DOCUMENT_SECTIONS)[number];

export interface ResourceKindInfo {
  /** The key of the configuration document that lists objects of this kind. */
  readonly section: DocumentSection;
  /** The API collection. */
  readonly path: string;
  /** How messages name one object of this kind. */
  readonly label: string;
}

export const RESOURCE_KIND_INFO = {
  datasource: { section: 'datasources', path: '/api/v1/datasources', label: 'data source' },
  contact: { section: 'contacts', path: '/api/v1/contacts', label: 'contact' },
  'contact-group': { section: 'contactGroups', path: '/api/v1/contact-groups', label: 'contact group' },
  'alert-policy': { section: 'alertPolicies', path: '/api/v1/alert-policies', label: 'alert policy' },
  'alertmanager-route': {
    section: 'alertmanagerRoutes',
    path: '/api/v1/alertmanager-routes',
    label: 'alertmanager route',
  },
} as const satisfies Record<ResourceKind, ResourceKindInfo>;

/** A name as messages show it: bare when it is one simple word, quoted otherwise. */
export function quoteName(name: string): string {
  return /^[\p{L}\p{N}_.@-]+$/u.test(name) ? name : JSON.stringify(name);
}
