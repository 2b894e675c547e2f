import { parseArgs } from 'node:util';
import { startServer } from './app';
import { authLimitsFromEnv, authSettingsHelp, type ServerOptions } from './config';
import { DatabaseOpenError } from './storage/database';

/**
 * The command line: `node --import tsx server/main.ts [--mock] [--port N]
 * [--host H] [--db PATH]`. Flags win over environment variables.
 */
const HELP = `Tidings server: serves the built app (./dist) and the WebSocket at /ws.

Usage: node --import tsx server/main.ts [options]

Options:
  --mock         Mock mode: in-memory database (unless --db/DB_PATH is given),
                 demo users alice/bob/carol (passwords tidings-<name>), demo
                 conversations, and the /__test__/ controls.
  --port <n>     Port to listen on (0 picks a free one). Default 8080.
  --host <h>     Address to listen on. Default 127.0.0.1.
  --db <path>    Database file, or :memory:. Default ./data/tidings.db.
  --help         Print this help and exit.

Environment:
  PORT, HOST, DB_PATH   Same as --port, --host, --db.
  MOCK=1                Same as --mock.
  ALLOWED_ORIGINS       Comma-separated origins allowed to open a socket
                        (default: the server's own, http://HOST:PORT and its
                        localhost/127.0.0.1 aliases).
  DURABILITY            normal (default; WAL + synchronous=NORMAL, an
                        acknowledged message survives kill -9) or full
                        (synchronous=FULL, also survives power loss).
  DIST_DIR              Built app directory. Default ./dist.
  LOG_LEVEL             pino level: trace, debug, info (default), warn, error, silent.

Login, sign-up and password hashing limits (positive integers; ms where named so):
${authSettingsHelp()}

Stops cleanly on SIGTERM/SIGINT: sockets close with 1001, the database is flushed.
`;

function parseCommandLine(argv: string[]): ServerOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      mock: { type: 'boolean' },
      port: { type: 'string' },
      host: { type: 'string' },
      db: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const env = process.env;
  const portText = values.port ?? env['PORT'];
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new Error(`port must be an integer 0-65535, got ${JSON.stringify(portText)}`);
  }
  const durability = env['DURABILITY'] ?? 'normal';
  if (durability !== 'normal' && durability !== 'full') throw new Error(`DURABILITY must be normal or full, got ${durability}`);
  const origins = env['ALLOWED_ORIGINS']?.split(',').map((o) => o.trim()).filter(Boolean);
  return {
    mock: values.mock === true || env['MOCK'] === '1' || env['MOCK'] === 'true',
    port,
    host: values.host ?? env['HOST'],
    dbPath: values.db ?? env['DB_PATH'],
    allowedOrigins: origins && origins.length > 0 ? origins : undefined,
    durability,
    distDir: env['DIST_DIR'],
    logLevel: env['LOG_LEVEL'] ?? 'info',
    limits: authLimitsFromEnv(env),
  };
}

async function main(): Promise<void> {
  let options: ServerOptions | 'help';
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const server = await startServer(options);
  process.stdout.write(`Tidings ${server.config.mock ? '(mock mode) ' : ''}listening on ${server.url}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  // A database that cannot be opened is the operator's to fix: the sentence says what and where; a stack would bury it.
  const text = error instanceof DatabaseOpenError ? error.message : ((error as Error).stack ?? String(error));
  process.stderr.write(`Tidings failed to start: ${text}\n`);
  process.exit(1);
});
