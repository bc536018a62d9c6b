// Contact groups: policies notify groups, never single contacts (as in ARMS).
import { z } from 'zod';
import { nameField, readOnlyFields } from './contact.js';

export const contactGroupInputSchema = z
  .strictObject({
    ...readOnlyFields,
    name: nameField,
    description: z.string().max(2000).nullish(),
    contactIds: z
      .array(z.string().min(1).max(64))
      .min(1, 'a contact group needs at least one contact')
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'must not list a contact twice'),
  })
  .transform(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => ({
    name: rest.name,
    description: rest.description ?? null,
    contactIds: rest.contactIds,
  }));

export type ContactGroupInput = z.output<typeof contactGroupInputSchema>;

export interface ContactGroup extends ContactGroupInput {
  readonly id: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}
