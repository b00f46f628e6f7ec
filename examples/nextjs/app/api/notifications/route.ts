import { demo } from '@/lib/server/demo';

export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

/**
 * A plain Server-Sent Events endpoint, as any Next.js app would write one: `id:` on every event, a
 * replay of what came after `Last-Event-ID`, comment heartbeats, and a bounded stream lifetime
 * (serverless platforms cut long requests; the client resumes).
 */
export function GET(request: Request) {
  const feed = demo().notifications;
  const encoder = new TextEncoder();
  const lastEventId = request.headers.get('last-event-id');
  const maxMs = Number(process.env.DEMO_NOTIFICATION_STREAM_MS ?? 30_000);
  let cleanup = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => controller.enqueue(encoder.encode(text));
      const event = (n: { id: string }) => send(`id: ${n.id}\nevent: notification\ndata: ${JSON.stringify(n)}\n\n`);
      send('retry: 1000\n\n');
      for (const n of feed.after(lastEventId)) event(n);
      const stop = feed.listen(event);
      const heartbeat = setInterval(() => send(': ping\n\n'), 15_000);
      const end = setTimeout(() => {
        cleanup();
        controller.close();
      }, maxMs);
      cleanup = () => {
        stop();
        clearInterval(heartbeat);
        clearTimeout(end);
      };
      request.signal.addEventListener('abort', () => cleanup());
    },
    cancel: () => cleanup(),
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' } });
}
