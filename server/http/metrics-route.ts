import type { ServerResponse } from 'node:http';
import type { ServerMetrics } from '../metrics';
import { setCommonHeaders } from './security-headers';

/** GET /metrics in the Prometheus text format. */
export async function serveMetrics(res: ServerResponse, metrics: ServerMetrics): Promise<void> {
  const body = await metrics.registry.metrics();
  setCommonHeaders(res);
  res.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  res.end(body);
}
