// Turns the global `--url` / `--token` flags and the environment (through config.ts) into an API client.
import type { Command } from 'commander';
import { loadClientConfig } from '../config.js';
import { ApiClient } from './api-client.js';
import type { CliIo } from './program.js';

interface GlobalFlags {
  readonly url?: string;
  readonly token?: string;
}

/** The client for a command: flags first, then TOCSIN_URL and TOCSIN_TOKEN. */
export function connect(io: CliIo, command: Command): ApiClient {
  const flags = command.optsWithGlobals<GlobalFlags>();
  return new ApiClient(loadClientConfig(io.env, { TOCSIN_URL: flags.url, TOCSIN_TOKEN: flags.token }));
}
