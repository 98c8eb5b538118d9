/** Runs a script's `main` when the file is the one node was started with (not when a test imports it); its result is the exit code. */
import { pathToFileURL } from 'node:url';

export function runWhenInvoked(moduleUrl: string, main: () => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main().then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
