import { describeMachine } from './lib/machine';
import { HELP, parseArgs, type ScenarioName } from './lib/options';
import { Progress } from './lib/progress';
import { resultsFolder, writeReport } from './lib/report';
import { killAllChildren, setPinning } from './lib/children';
import { measureScrypt } from './lib/scrypt-cost';
import { summariseProfiles } from './lib/profile-summary';
import type { ScenarioContext, ScenarioReport } from './scenarios/context';
import { chatScenario } from './scenarios/chat';
import { idleScenario } from './scenarios/idle';
import { fanoutScenario } from './scenarios/fanout';
import { stormScenario } from './scenarios/storm';
import { slowScenario } from './scenarios/slow';
import { costScenario } from './scenarios/cost';
import { browserScenario } from './browser/browser-scenario';
import { isTidings } from './targets/target';

/**
 * `npm run bench -- <scenario> [options]`: runs one benchmark scenario
 * against the raw relay, the Socket.IO baselines and the real server, and writes
 * bench/results/<timestamp>-<scenario>/. See --help.
 */
const RUNNERS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<ScenarioReport>> = {
  idle: idleScenario,
  chat: chatScenario,
  fanout: fanoutScenario,
  storm: stormScenario,
  slow: slowScenario,
  cost: costScenario,
  browser: browserScenario,
};

/** Runs a scenario and writes its report; returns the results folder. Used by the CLI and the smoke test. */
export async function runBench(argv: string[]): Promise<{ dir: string; report: ScenarioReport } | null> {
  const parsed = parseArgs(argv);
  if (parsed.error) throw new Error(`${parsed.error}\n\n${HELP}`);
  if (!parsed.options) {
    process.stdout.write(`${HELP}\n`);
    return null;
  }
  const options = parsed.options;
  if (options.pin && options.inProcess) throw new Error('--pin needs the targets in child processes (not --in-process)');
  setPinning(options.pin);
  const started = new Date();
  const machine = describeMachine();
  const dir = resultsFolder(options.outDir, options.scenario, started);
  const progress = new Progress(options.quiet);
  const ctx: ScenarioContext = { options, progress, runId: started.getTime().toString(36), resultsDir: dir };
  const scrypt = options.targets.some(isTidings) ? await measureScrypt() : { ms: null, params: 'n/a' };
  const report = await RUNNERS[options.scenario](ctx);
  if (options.cpuProf) {
    // The server writes its profile on exit, which the scenario has awaited.
    const profiles = summariseProfiles(dir);
    if (profiles) report.markdown += `\n\n## Server CPU profile\n\n${profiles}`;
  }
  const wallSeconds = (Date.now() - started.getTime()) / 1000;
  writeReport(dir, { scenario: options.scenario, command: `npm run bench -- ${argv.join(' ')}`, startedAt: started.toISOString(), wallSeconds, machine, scryptMs: scrypt.ms, scryptParams: scrypt.params }, report);
  progress.note(`report: ${dir}/report.md`);
  return { dir, report };
}

if (process.argv[1]?.endsWith('bench/cli.ts')) {
  runBench(process.argv.slice(2))
    .then(() => {
      killAllChildren();
      process.exit(0);
    })
    .catch((error: Error) => {
      process.stderr.write(`\nbench failed: ${error.stack ?? error.message}\n`);
      killAllChildren();
      process.exit(1);
    });
}
