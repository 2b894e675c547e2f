import type { ScenarioContext, ScenarioReport } from './context';
export async function fanoutScenario(_ctx: ScenarioContext): Promise<ScenarioReport> { throw new Error('todo'); }
