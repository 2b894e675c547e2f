import type { ScenarioContext, ScenarioReport } from './context';
export async function idleScenario(_ctx: ScenarioContext): Promise<ScenarioReport> { throw new Error('todo'); }
