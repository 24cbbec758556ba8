// A stand-in for the Slack Web API on loopback (SLACK_API_URL), so the fault benchmark's Slack events never
// leave the machine: it answers every call with ok and counts them.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackStub {
  /** Its base URL: the Web API under api/, response_url hooks under hooks/. */
  readonly url: string;
  calls: number;
  stop(): Promise<void>;
}

export async function startSlackStub(): Promise<SlackStub> {
  let ts = 1_700_000_000;
  const stub: { server?: Server; calls: number } = { calls: 0 };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      stub.calls += 1;
      ts += 1;
      res.setHeader('content-type', 'application/json');
      const path = req.url ?? '';
      if (path.endsWith('/auth.test')) {
        res.end(
          JSON.stringify({
            ok: true,
            team_id: 'T0DEMO',
            user_id: 'U0BOT',
            bot_id: 'B0BOT',
            team: 'Demo',
            user: 'support',
          }),
        );
      } else if (path.endsWith('/conversations.open')) {
        res.end(JSON.stringify({ ok: true, channel: { id: 'D0BENCHDM' } }));
      } else if (path.endsWith('/files.getUploadURLExternal')) {
        res.end(
          JSON.stringify({
            ok: true,
            upload_url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload/F${ts}`,
            file_id: `F${ts}`,
          }),
        );
      } else {
        res.end(
          JSON.stringify({ ok: true, channel: 'D0BENCHDM', ts: `${ts}.000100`, files: [], view: { id: `V${ts}` } }),
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.server = server;
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    get calls() {
      return stub.calls;
    },
    set calls(n: number) {
      stub.calls = n;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
