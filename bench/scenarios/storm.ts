import type { ScenarioContext, ScenarioReport } from './context';
export async function stormScenario(_ctx: ScenarioContext): Promise<ScenarioReport> { throw new Error('todo'); }
