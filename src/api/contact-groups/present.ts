// The JSON of a contact group.
import type { ContactGroup } from '../../domain/contact-group.js';

export function presentContactGroup(group: ContactGroup) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    contactIds: group.contactIds,
    createdAt: new Date(group.createdAt).toISOString(),
    updatedAt: new Date(group.updatedAt).toISOString(),
  };
}
