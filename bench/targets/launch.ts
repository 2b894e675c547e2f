import type { PopulationShape } from '../generator/population';
import { launchBaseline } from './baseline-target';
import { launchRealServer } from './real-target';
import { launchInProcess } from './in-process-target';
import type { LaunchOptions, RunningTarget, TargetKind } from './target';

/** Starts the named target with the given population prepared, as a child process unless `inProcess`. */
export function launchTarget(kind: TargetKind, shape: PopulationShape, runId: string, options: LaunchOptions = {}): Promise<RunningTarget> {
  if (kind === 'real-base' && !options.baselineCheckout) throw new Error('target real-base needs --baseline-checkout <dir>, the checkout whose server it runs');
  const root = kind === 'real-base' ? options.baselineCheckout! : undefined;
  if (options.inProcess) return launchInProcess(kind, shape, runId, root);
  if (kind === 'real' || kind === 'real-base') return launchRealServer(kind, shape, runId, options.nodeFlags ?? [], root);
  return launchBaseline(kind, shape, runId, options.nodeFlags ?? []);
}
