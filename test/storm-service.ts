// The real Tocsin service as a child process for the crash-recovery test: `startServer` from the TOCSIN_*
// environment, then JSON lines — {"url"} once listening, {"enqueued"} after a storm asked for on stdin.
// `--clock-offset-ms N` runs its clock N ms ahead (see crash-recovery.test.ts). SIGTERM stops it cleanly.
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadServerConfig } from '../src/config.js';
import type { Contact } from '../src/domain/contact.js';
import { startServer, type RunningServer } from '../src/main.js';
import { enqueueForContacts } from '../src/notify/outbox.js';
import { stormRequest } from './alert-storm.js';

/** What the test writes on stdin: enqueue events 0…events-1 round-robin over the contacts. */
export interface StormCommand {
  readonly storm: { readonly contactIds: readonly string[]; readonly events: number; readonly chunk: number };
}

function say(line: object): void {
  process.stdout.write(JSON.stringify(line) + '\n');
}

async function enqueueStorm(server: RunningServer, command: StormCommand['storm']): Promise<void> {
  const contacts: Contact[] = [];
  for (const id of command.contactIds) {
    const contact = await server.store.contacts.get(id);
    if (!contact) throw new Error(`no contact ${id}`);
    contacts.push(contact);
  }
  for (let first = 0; first < command.events; first += command.chunk) {
    // One transaction per chunk, as an evaluator tick writes one per policy: committed means accepted.
    await server.store.transaction(async function enqueueChunk(tx) {
      for (let n = first; n < Math.min(command.events, first + command.chunk); n++) {
        await enqueueForContacts(tx, [contacts[n % contacts.length]!], ['dingtalk'], stormRequest(n));
      }
    });
    server.dispatcher.notify();
    await sleep(1);
  }
  say({ enqueued: command.events });
}

const offsetAt = process.argv.indexOf('--clock-offset-ms');
const offsetMs = offsetAt >= 0 ? Number(process.argv[offsetAt + 1]) : 0;
const server = await startServer(loadServerConfig(process.env), {
  clock: { now: () => Date.now() + offsetMs },
});
say({ url: server.url });

process.once('SIGTERM', function stopOnTerm() {
  void server.close().then(() => process.exit(0));
});

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as StormCommand;
  await enqueueStorm(server, command.storm);
}
