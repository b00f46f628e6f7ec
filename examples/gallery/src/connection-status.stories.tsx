import { HANG, refuse, refuseHttp } from '@switchboard/core/testing';
import { useChannel } from '@switchboard/react';
import type { Story } from '@ladle/react';
import { useEffect } from 'react';
import { Badge } from './badge';
import { Stage, usePlayground, type Playground } from './playground';

export default { title: 'useConnectionStatus' };

function Subscribed() {
  useChannel('room');
  return null;
}

/** Drop, refuse, black-hole: watch the status, attempt counter and jittered retry countdown. */
export const Live: Story = () => {
  const p = usePlayground();
  return (
    <Stage p={p}>
      <Subscribed />
      <Badge />
    </Stage>
  );
};

/** One story per status, reached the way it happens in real life. */
function StatusStory({ setup, subscribe = true, options = {} }: { setup?: (p: Playground) => void; subscribe?: boolean; options?: Parameters<typeof usePlayground>[0] }) {
  const p = usePlayground(options, setup);
  return (
    <Stage p={p}>
      {subscribe && <Subscribed />}
      <Badge />
    </Stage>
  );
}

export const Idle: Story = () => <StatusStory subscribe={false} />;
export const Connecting: Story = () => <StatusStory setup={(p) => p.transport.script(HANG)} />;
export const Connected: Story = () => <StatusStory />;
export const Reconnecting: Story = () => {
  const p = usePlayground({ backoff: { baseMs: 60_000, capMs: 60_000 } });
  useEffect(() => {
    const timer = setTimeout(() => (p.transport.script(refuse(1006)), p.server.drop()), 300);
    return () => clearTimeout(timer);
  }, [p]);
  return (
    <Stage p={p}>
      <Subscribed />
      <Badge />
    </Stage>
  );
};
export const Suspended: Story = () => <StatusStory options={{ suspendAfterMs: 1000 }} setup={(p) => p.transport.script(refuse(1006))} />;
export const Closed: Story = () => {
  const p = usePlayground();
  useEffect(() => {
    const timer = setTimeout(() => p.client.close(), 300);
    return () => clearTimeout(timer);
  }, [p]);
  return (
    <Stage p={p}>
      <Subscribed />
      <Badge />
    </Stage>
  );
};
export const Failed: Story = () => <StatusStory options={{ auth: () => 'expired-token' }} setup={(p) => p.transport.script(refuseHttp(401))} />;
