// Starts and stops code-server (a real VS Code server with its web workbench) for tests and for
// `npm start`. Every run gets its own folder under out/vscode-run/ with its own --config,
// --user-data-dir and --extensions-dir, so nothing touches ~/.config/code-server or another run.
// A server is started in its own process group (detached = setsid), and stopping it signals that
// group, so extension hosts, file watchers and the pty host go with it. Only servers this process
// started are stopped, plus servers whose recorded owner process has died (a crashed earlier run).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertToolchain, codeServerBin, node24Env, vscodeRunRoot, workspacesDirOf } from './toolchain.mjs';

/** Workbench settings that keep the test window quiet and fast (no welcome page, chat, updates). */
const baseSettings = {
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  // Code 1.139 already defaults to "never"; pinning it keeps trust-on servers in Restricted Mode
  // without a modal dialog even if the default changes.
  'security.workspace.trust.startupPrompt': 'never',
};

/** Servers started by this process and not stopped yet; the exit handlers stop them. */
const runningServers = new Set();
let cleanupInstalled = false;

const isAlive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const commandLineOf = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};
const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
};

/** Signals a process group, ignoring "no such process". */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Stops the server whose group leader is `pid`: TERM, wait, then TERM/KILL whatever is left in its group. */
async function stopProcessGroup(pid, graceMs = 8000) {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    // Already gone; the group may still hold children.
  }
  for (let waited = 0; waited < graceMs && isAlive(pid); waited += 100) await sleep(100);
  signalGroup(pid, 'SIGTERM');
  await sleep(300);
  signalGroup(pid, 'SIGKILL');
}

/**
 * Removes the run folders of earlier runs whose owner process is gone, stopping their servers first
 * when the recorded PID still runs code-server with that folder's user-data-dir (and so is ours).
 */
export async function removeStaleRuns() {
  if (!existsSync(vscodeRunRoot)) return;
  for (const entry of readdirSync(vscodeRunRoot, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const runDir = join(vscodeRunRoot, entry.name);
    const owner = readJson(join(runDir, 'owner.json'));
    // Only run folders are managed here (workspaces/ of .vscode-test.mjs has no owner file).
    if (!owner) continue;
    const ownerRuns = owner && owner.pid !== process.pid && commandLineOf(owner.pid) === owner.commandLine;
    if (ownerRuns || owner.pid === process.pid) continue;
    const serversDir = join(runDir, 'servers');
    for (const name of existsSync(serversDir) ? readdirSync(serversDir) : []) {
      const pid = Number(readJson(join(serversDir, name, 'server.json'))?.pid);
      if (pid > 0 && commandLineOf(pid).includes(join(serversDir, name, 'user-data'))) {
        process.stderr.write(`[vscode] stopping code-server ${pid} left over from an earlier run\n`);
        await stopProcessGroup(pid, 3000);
      }
    }
    rmSync(runDir, { recursive: true, force: true });
    rmSync(workspacesDirOf(runDir), { recursive: true, force: true });
  }
}

/**
 * A fresh folder for one run (one `npm test`, one `npm start`): out/vscode-run/<label>-<pid>/.
 * Earlier runs' folders are removed first unless their owner still runs.
 */
export async function createRunDir(label) {
  await removeStaleRuns();
  const runDir = join(vscodeRunRoot, `${label}-${process.pid}`);
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(join(runDir, 'extensions'), { recursive: true });
  const owner = { pid: process.pid, commandLine: commandLineOf(process.pid), startedAt: new Date().toISOString() };
  writeFileSync(join(runDir, 'owner.json'), JSON.stringify(owner, null, 2));
  return runDir;
}

/** A free TCP port on 127.0.0.1, probing upwards from `from`. */
export async function findFreePort(from = 8090) {
  for (let port = from; port < from + 200; port++) {
    const free = await new Promise((resolve) => {
      const probe = createServer();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port on 127.0.0.1 in ${from}-${from + 199}`);
}

function serverPaths(runDir, name) {
  const dir = join(runDir, 'servers', name);
  return {
    dir,
    config: join(dir, 'config.yaml'),
    userData: join(dir, 'user-data'),
    log: join(dir, 'code-server.log'),
    extensions: join(runDir, 'extensions'),
  };
}

function writeProfile(paths, settings) {
  mkdirSync(join(paths.userData, 'User'), { recursive: true });
  // An own config file: otherwise code-server reads (or creates) ~/.config/code-server/config.yaml.
  writeFileSync(paths.config, 'auth: none\ncert: false\n');
  writeFileSync(join(paths.userData, 'User/settings.json'), JSON.stringify({ ...baseSettings, ...settings }, null, 2));
}

/** Installs a .vsix into the run's extensions folder (shared by all servers of the run). */
export function installExtension(runDir, vsixPath) {
  assertToolchain();
  const paths = serverPaths(runDir, 'install');
  writeProfile(paths, {});
  const common = ['--config', paths.config, '--user-data-dir', paths.userData, '--extensions-dir', paths.extensions];
  const install = spawnSync(codeServerBin, [...common, '--install-extension', vsixPath, '--force'], {
    env: node24Env(),
    encoding: 'utf8',
  });
  if (install.status !== 0) {
    throw new Error(`code-server --install-extension ${vsixPath} failed:\n${install.stdout}${install.stderr}`);
  }
  const list = spawnSync(codeServerBin, [...common, '--list-extensions', '--show-versions'], {
    env: node24Env(),
    encoding: 'utf8',
  });
  return list.stdout.split('\n').filter((line) => line.includes('@'));
}

function installCleanupHandlers() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  // Last resort when the process exits without stopping its servers: signal their groups.
  process.on('exit', () => {
    for (const server of runningServers) signalGroup(server.pid, 'SIGTERM');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`\n[vscode] ${signal}: stopping code-server\n`);
      void stopAllCodeServers().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}

/** Stops every server this process started. */
export async function stopAllCodeServers() {
  await Promise.all([...runningServers].map((server) => server.stop()));
}

/**
 * Starts code-server and resolves once it answers /healthz.
 * @param {object} options
 * @param {string} options.runDir from createRunDir()
 * @param {string} [options.name] server name inside the run ('trusted', 'restricted', ...)
 * @param {'disabled' | 'enabled'} [options.workspaceTrust] 'disabled' = --disable-workspace-trust;
 *   'enabled' = folders open in Restricted Mode (no startup prompt) until trusted in the UI
 * @param {string} [options.folder] folder the server opens when the URL names none
 * @param {boolean} [options.testDriver] allow ?payload= (extension tests), default true
 * @param {number} [options.idleTimeoutSeconds] exit when no client connected for this long (a safety net)
 * @param {number} [options.port] first port to probe (default 8090)
 * @param {object} [options.settings] extra user settings
 */
export async function startCodeServer(options) {
  assertToolchain();
  const { runDir, name = 'main', workspaceTrust = 'disabled', folder, testDriver = true, settings = {} } = options;
  const paths = serverPaths(runDir, name);
  writeProfile(paths, settings);
  installCleanupHandlers();
  let port = await findFreePort(options.port ?? 8090);
  for (let attempt = 1; ; attempt++) {
    const args = [
      ...['--config', paths.config, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`],
      ...['--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'],
      ...['--user-data-dir', paths.userData, '--extensions-dir', paths.extensions],
      // A closed page keeps its extension host for this long (default 3 hours).
      ...['--reconnection-grace-time', String(options.reconnectionGraceSeconds ?? 10)],
      ...(workspaceTrust === 'disabled' ? ['--disable-workspace-trust'] : []),
      // Without the smoke-test driver a built VS Code silently ignores the ?payload= URL parameter
      // that carries extensionDevelopmentPath/extensionTestsPath.
      ...(testDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      ...(options.idleTimeoutSeconds ? ['--idle-timeout-seconds', String(options.idleTimeoutSeconds)] : []),
      ...(folder ? [folder] : []),
    ];
    const logFd = openSync(paths.log, 'a');
    const logStart = fstatSync(logFd).size;
    const child = spawn(codeServerBin, args, { detached: true, stdio: ['ignore', logFd, logFd], env: node24Env() });
    const pid = child.pid;
    const url = `http://127.0.0.1:${port}`;
    writeFileSync(join(paths.dir, 'server.json'), JSON.stringify({ pid, url, args }, null, 2));
    let exited = false;
    child.once('exit', () => (exited = true));
    child.unref();
    const server = {
      name,
      url,
      port,
      pid,
      workspaceTrust,
      /** The remote authority VS Code uses for this server's files: vscode-remote://<authority>/path. */
      authority: `127.0.0.1:${port}`,
      userDataDir: paths.userData,
      extensionsDir: paths.extensions,
      logFile: paths.log,
      /** True once stop() was called (a watcher can tell a stop from a crash). */
      stopping: false,
      async stop() {
        server.stopping = true;
        if (!runningServers.delete(server)) return;
        await stopProcessGroup(pid);
      },
    };
    runningServers.add(server);
    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline) {
      // The answer must come from this server: when another test run holds the port, its
      // /healthz answers while this one fails to bind (EADDRINUSE) and exits.
      const listening = readFileSync(paths.log)
        .subarray(logStart)
        .toString()
        .includes(`HTTP server listening on ${url}/`);
      const healthy =
        listening &&
        (await fetch(`${url}/healthz`).then(
          (response) => response.ok,
          () => false,
        ));
      if (healthy && !exited) return server;
      await sleep(200);
    }
    await server.stop();
    const log = readFileSync(paths.log, 'utf8');
    // Someone else may have taken the port between the probe and the bind: try the next one.
    if (exited && /EADDRINUSE/.test(log) && attempt < 5) {
      port = await findFreePort(port + 1);
      continue;
    }
    throw new Error(
      `code-server did not start (${exited ? 'it exited' : 'no /healthz in 60 s'}); log ${paths.log}:\n${log.slice(-3000)}`,
    );
  }
}
