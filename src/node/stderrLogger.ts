import type { Logger } from '../engine/ports';

/** The CLI's logger: stderr only, so stdout carries nothing but results. */
export function createStderrLogger(verbose: boolean): Logger {
  const write = (level: string, message: string, context?: object) =>
    process.stderr.write(`${level}: ${message}${context ? ` ${JSON.stringify(context)}` : ''}\n`);
  return {
    debug: (message, context) => verbose && write('debug', message, context),
    info: (message, context) => verbose && write('info', message, context),
    warn: (message, context) => write('warning', message, context),
    error: (message, context) => write('error', message, context),
  };
}
