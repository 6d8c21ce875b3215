/**
 * How long a process has, from SIGTERM or SIGINT, to stop: orchestrators wait about that long before they kill
 * (docker stop: 10 s). Nest's shutdown hooks stop taking jobs, hand chunks back and close the queue and the
 * database; a hook that waits on something that never answers (a queue waiting for a job held by a hung send) would
 * otherwise keep the process alive until it is killed, with nothing handed back.
 */
export const SHUTDOWN_DEADLINE_MS = 9_000;

/**
 * Ends the process SHUTDOWN_DEADLINE_MS after the first SIGTERM or SIGINT if the orderly shutdown has not ended it.
 * Listeners are `once`: after Nest's hooks ran it signals the process again, and that signal must find no listener
 * left so that it terminates.
 */
export function armShutdownDeadline(ms = SHUTDOWN_DEADLINE_MS, exit: (code: number) => void = process.exit): void {
  const arm = (signal: NodeJS.Signals) => {
    setTimeout(() => {
      process.stderr.write(`Izinli: shutdown after ${signal} took longer than ${ms} ms; exiting now\n`);
      exit(1);
    }, ms).unref();
  };
  process.once('SIGTERM', arm);
  process.once('SIGINT', arm);
}
