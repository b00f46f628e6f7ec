import { useStream } from '@switchboard/react';
import type { Story } from '@ladle/react';

export default { title: 'useStream' };

/** A stand-in for a route handler that streams an answer word by word. */
const fakeFetch: typeof fetch = async (_input, init) => {
  const words = 'Full jitter spreads a thousand reconnecting tabs over the whole window instead of one instant. '.repeat(3).split(/(?<= )/);
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setTimeout>;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let i = 0;
      const next = () => {
        if (init?.signal?.aborted) return;
        if (i >= words.length) return controller.close();
        controller.enqueue(encoder.encode(words[i++]!));
        timer = setTimeout(next, 60);
      };
      next();
    },
    cancel: () => clearTimeout(timer),
  });
  return new Response(body);
};

/** Token streaming with abort and regenerate. */
export const TokenStream: Story = () => {
  const { text, status, abort, restart } = useStream('/api/answer', { method: 'POST', body: '{}', fetch: fakeFetch });
  return (
    <div>
      <p>
        status: <strong>{status}</strong>{' '}
        {status === 'streaming' ? (
          <button type="button" onClick={abort}>
            stop
          </button>
        ) : (
          <button type="button" onClick={restart}>
            regenerate
          </button>
        )}
      </p>
      <p style={{ whiteSpace: 'pre-wrap' }}>{text}</p>
    </div>
  );
};
