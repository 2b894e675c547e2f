import type { PopulationShape } from '../generator/population';
import { launchBaseline } from './baseline-target';
import { launchRealServer } from './real-target';
import type { RunningTarget, TargetKind } from './target';

/** Starts the named target with the given population prepared. */
export function launchTarget(kind: TargetKind, shape: PopulationShape, runId: string, nodeFlags: string[] = []): Promise<RunningTarget> {
  return kind === 'real' ? launchRealServer(shape, runId, nodeFlags) : launchBaseline(kind, shape, runId, nodeFlags);
}
