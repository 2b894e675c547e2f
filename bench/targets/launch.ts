import type { PopulationShape } from '../generator/population';
import { launchBaseline } from './baseline-target';
import { launchRealServer } from './real-target';
import { launchInProcess } from './in-process-target';
import type { RunningTarget, TargetKind } from './target';

/** Starts the named target with the given population prepared, as a child process unless `inProcess`. */
export function launchTarget(kind: TargetKind, shape: PopulationShape, runId: string, nodeFlags: string[] = [], inProcess = false): Promise<RunningTarget> {
  if (inProcess) return launchInProcess(kind, shape, runId);
  return kind === 'real' ? launchRealServer(shape, runId, nodeFlags) : launchBaseline(kind, shape, runId, nodeFlags);
}
