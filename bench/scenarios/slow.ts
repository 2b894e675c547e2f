import type { ScenarioContext, ScenarioReport } from './context';
export async function slowScenario(_ctx: ScenarioContext): Promise<ScenarioReport> { throw new Error('todo'); }
