// Optimistic concurrency for edits: GET, POST and PUT answer with an ETag naming the object's revision;
// a PUT with `If-Match` is refused with 412 when someone else changed the object since it was read.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

interface Revised {
  readonly updatedAt: number;
}

export function etagOf(object: Revised): string {
  return `"${object.updatedAt.toString(36)}"`;
}

/** Sets the ETag of the object being answered. */
export function tagRevision(reply: FastifyReply, object: Revised): void {
  void reply.header('etag', etagOf(object));
}

/** Throws `precondition_failed` when the request's If-Match does not name the stored revision. */
export function checkIfMatch(request: FastifyRequest, stored: Revised): void {
  const ifMatch = request.headers['if-match'];
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const wanted = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!wanted.includes(etagOf(stored))) {
    throw new AppError(
      'precondition_failed',
      'the object was changed by someone else since you read it; read it again and reapply your edit',
      [],
      { details: { currentEtag: etagOf(stored) } },
    );
  }
}
