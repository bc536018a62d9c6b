// The error a command throws for something the user can fix: printed without a stack trace.
// Exit code 1 for API and user errors, 2 for usage and configuration errors.

export const EXIT_USAGE = 2;

/** Thrown by commands for errors the user can fix; printed without a stack trace, exit code 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
