'use client';
import { useStream } from '@switchboard/react';
import { useState } from 'react';

/** Pattern 2: an AI-style answer streamed token by token from a route handler, with abort. */
export default function StreamPage() {
  const [question, setQuestion] = useState('How does switchboard reconnect?');
  const [asked, setAsked] = useState<string | null>(null);
  const { text, status, abort, restart } = useStream(asked ? '/api/answer' : null, { method: 'POST', body: JSON.stringify({ question: asked }) });
  return (
    <section>
      <h1>Token stream</h1>
      <form className="row" onSubmit={(e) => (e.preventDefault(), setAsked(question))}>
        <input value={question} onChange={(e) => setQuestion(e.target.value)} style={{ flex: 1 }} aria-label="question" />
        <button type="submit">Ask</button>
        {status === 'streaming' ? (
          <button type="button" onClick={abort}>
            Stop
          </button>
        ) : (
          asked && (
            <button type="button" onClick={restart}>
              Regenerate
            </button>
          )
        )}
      </form>
      <p className="muted">
        status: <span data-testid="stream-status">{status}</span>
      </p>
      <div className="answer" data-testid="answer">
        {text}
        {status === 'streaming' && '▍'}
      </div>
    </section>
  );
}
