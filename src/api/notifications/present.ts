// The JSON of one notification in the sending history: its delivery state, the channel's answer and where
// it went with secrets masked (the target is masked when enqueued; the payload is not shown).
import type { NotificationRecord } from '../../store/notifications.js';

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function titleOf(record: NotificationRecord): string | null {
  const payload = record.payload as { title?: unknown } | null;
  return typeof payload?.title === 'string' ? payload.title : null;
}

export function presentNotification(record: NotificationRecord) {
  const pending = record.state === 'queued' || record.state === 'retrying';
  return {
    id: record.id,
    state: record.state,
    channel: record.channel,
    contactId: record.contactId,
    target: record.target,
    kind: record.kind,
    severity: record.severity,
    title: titleOf(record),
    policyId: record.policyId,
    eventId: record.eventId,
    // Every event the message carries: one, or the events of one policy opened or resolved together.
    eventIds: record.eventIds ?? (record.eventId === null ? [] : [record.eventId]),
    attempts: record.attempts,
    nextAttemptAt: pending ? isoOrNull(record.nextAttemptAt) : null,
    lastError: record.lastError,
    answer: record.answer,
    messageId: record.messageId,
    createdAt: new Date(record.createdAt).toISOString(),
    updatedAt: new Date(record.updatedAt).toISOString(),
    sentAt: isoOrNull(record.sentAt),
  };
}
