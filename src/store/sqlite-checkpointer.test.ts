// The background checkpointer moves committed pages from the write-ahead log into the database file
// without the writer's help, and a database written while it runs reopens with everything in it.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKSTOP_CHECKPOINT_PAGES, startSqliteCheckpointer } from './sqlite-checkpointer.js';

describe('SQLite checkpointer', () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tocsin-checkpoint-'));
    file = join(dir, 'db.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('copies committed pages into the database file while the writer never checkpoints', async () => {
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    db.exec('create table t (id integer primary key, body text not null)');
    const errors: string[] = [];
    const checkpointer = startSqliteCheckpointer(file, (message) => errors.push(message));
    const insert = db.prepare('insert into t (body) values (?)');
    db.transaction(() => {
      for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(500));
    })();
    const before = statSync(file).size;
    // Written to the log only: the database file still has the empty table's pages.
    expect(before).toBeLessThan(100_000);
    const deadline = Date.now() + 10_000;
    while (statSync(file).size === before && Date.now() < deadline) await sleep(100);
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
    await checkpointer.stop();
    db.close();
    expect(errors).toEqual([]);

    const reopened = new SQLite(file);
    expect(reopened.prepare('select count(*) as n from t').get()).toEqual({ n: 2_000 });
    reopened.close();
  });

  it('stops even when the database was closed and deleted first', async () => {
    const db = new SQLite(file);
    db.pragma('journal_mode = WAL');
    const checkpointer = startSqliteCheckpointer(file, () => undefined);
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await checkpointer.stop();
  });
});
