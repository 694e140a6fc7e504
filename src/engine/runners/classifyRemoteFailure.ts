import type { RunnerFailure } from './runnerFailure';

/**
 * Turns what ssh or rsync printed when they failed into the failure a user can act on. OpenSSH's
 * messages are stable across versions (and untranslated), so matching them is reliable.
 */
export function classifySshFailure(host: string, stderr: string): RunnerFailure | undefined {
  const text = stderr.trim();
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No \w+ host key is known/i.test(text)) {
    const changed = /HAS CHANGED/i.test(text);
    return {
      code: 'hostKeyChanged',
      message: changed
        ? `the host key of ${host} changed since it was recorded in known_hosts; if the host was reinstalled, remove the old key (ssh-keygen -R ${host}) and check the new one`
        : `the host key of ${host} is not in known_hosts (or does not match it); connect once with ssh ${host} and check the key, mlc never accepts an unknown key`,
    };
  }
  if (/Permission denied|Too many authentication failures/i.test(text)) {
    return {
      code: 'authRefused',
      message: `${host} refused the login (${lastLine(text)}); check the user and key (ssh ${host} true must work without a prompt: mlc runs ssh in BatchMode)`,
    };
  }
  if (
    /Connection refused|Could not resolve hostname|No route to host|Network is unreachable|Connection timed out|Operation timed out|Name or service not known|connect to host/i.test(
      text,
    )
  ) {
    return { code: 'hostUnreachable', message: `cannot reach ${host}: ${lastLine(text)}` };
  }
  return undefined;
}

/** An ssh or rsync failure: classified when ssh says why, else `fallback` with what it printed last. */
export function remoteFailure(
  fallback: RunnerFailure['code'],
  what: string,
  host: string,
  exitCode: number | undefined,
  stderr: string,
): RunnerFailure {
  return (
    classifySshFailure(host, stderr) ?? {
      code: fallback,
      message: `${what} on ${host} failed (exit ${exitCode ?? 'by a signal'})${stderr.trim() ? `: ${lastLine(stderr)}` : ''}`,
    }
  );
}

function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return lines.at(-1) ?? '';
}
