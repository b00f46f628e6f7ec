export const dynamic = 'force-dynamic';
export const runtime = 'nodejs';

const ANSWER =
  'switchboard retries with full jitter: each attempt waits random() × min(15 s, 1 s × 2^attempt), ' +
  'so a thousand tabs that lost the server at once come back spread out, not in lockstep. ' +
  'Messages typed meanwhile wait in the outbox and are resent in order, with the same ids, once the connection is back.';

/** Streams an answer word by word, like an LLM would; stops when the client aborts. */
export async function POST(request: Request) {
  const { question } = (await request.json().catch(() => ({}))) as { question?: string };
  const words = `Q: ${question ?? ''}\n\n${ANSWER}`.split(/(?<= )/);
  const encoder = new TextEncoder();
  const delay = Number(process.env.DEMO_TOKEN_DELAY_MS ?? 40);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let i = 0;
      const next = () => {
        if (request.signal.aborted) return;
        if (i >= words.length) return controller.close();
        controller.enqueue(encoder.encode(words[i++]!));
        timer = setTimeout(next, delay);
      };
      next();
    },
    cancel: () => clearTimeout(timer),
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' } });
}
