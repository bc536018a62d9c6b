// API tokens and what each role may do. Tokens are stored hashed; the clear value is shown once.
import { z } from 'zod';
import { nameField } from './contact.js';

export const ROLES = ['viewer', 'editor', 'admin', 'ingest'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What a request needs: reading, changing configuration and events, managing tokens, or sending metrics
 * and alerts. An `ingest` token is what Prometheus, an OpenTelemetry exporter, a push script or
 * Alertmanager's webhook holds: it may send metrics and alerts and nothing else.
 */
export type Permission = 'read' | 'write' | 'admin' | 'ingest';

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ['read'],
  editor: ['read', 'write', 'ingest'],
  admin: ['read', 'write', 'admin', 'ingest'],
  ingest: ['ingest'],
};

export function roleAllows(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

export const apiTokenInputSchema = z.strictObject({
  name: nameField,
  role: z.enum(ROLES),
});

export type ApiTokenInput = z.output<typeof apiTokenInputSchema>;

export interface ApiToken extends ApiTokenInput {
  readonly id: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
}
