import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';

export type HealthReport = { ok: boolean } & Record<string, unknown>;

/**
 * The loopback `/healthz` endpoint: 200 with the report when everything answers, 503 otherwise.
 */
export async function startHealthServer(host: string, port: number, report: () => Promise<HealthReport>, logger: Logger): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.url !== '/healthz' && req.url !== '/healthz/') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found; try /healthz\n');
      return;
    }
    report().then((r) => {
      res.writeHead(r.ok ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' }).end(`${JSON.stringify(r, null, 2)}\n`);
    }, (err: unknown) => {
      logger.error({ err }, 'health report failed');
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: String(err) }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    url: `http://${host}:${addr.port}/healthz`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
