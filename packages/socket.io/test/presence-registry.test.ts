import { afterEach, describe, expect, it, vi } from 'vitest';
import { PresenceRegistry, type PresenceChange } from '../src/server/presence.js';

function setup() {
  const changes: PresenceChange[] = [];
  const registry = new PresenceRegistry((change) => changes.push(change));
  const log = () => changes.splice(0).map((c) => `${c.action} ${c.member.id}`);
  return { registry, log };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('server presence registry', () => {
  it('join, update, leave; a member held by two sockets leaves with the last one', () => {
    const { registry, log } = setup();
    registry.enter('c', 's1', 'u1', { tab: 1 });
    registry.enter('c', 's2', 'u1', { tab: 2 });
    registry.enter('c', 's3', 's3', null);
    expect(log()).toEqual(['join u1', 'update u1', 'join s3']);
    expect(registry.members('c')).toEqual([
      { id: 'u1', data: { tab: 2 } },
      { id: 's3', data: null },
    ]);
    registry.leave('c', 's1');
    expect(log()).toEqual([]);
    registry.leave('c', 's2');
    registry.drop('s3');
    registry.leave('c', 'never-there');
    expect(log()).toEqual(['leave u1', 'leave s3']);
    expect(registry.members('c')).toEqual([]);
  });

  it('a suspended socket keeps its presence through the grace when it enters again, and leaves otherwise', () => {
    vi.useFakeTimers();
    const { registry, log } = setup();
    registry.enter('a', 's1', 's1', 1);
    registry.enter('b', 's1', 's1', 2);
    log();
    registry.suspend('s1', 1000);
    vi.advanceTimersByTime(500);
    registry.enter('a', 's1', 's1', 1); // recovered and re-entered channel a only
    vi.advanceTimersByTime(600);
    expect(log()).toEqual(['update s1', 'leave s1']);
    expect(registry.members('a')).toEqual([{ id: 's1', data: 1 }]);
    expect(registry.members('b')).toEqual([]);
  });

  it('no grace means an immediate leave; clear() forgets everything and cancels timers silently', () => {
    vi.useFakeTimers();
    const { registry, log } = setup();
    registry.enter('a', 's1', 's1', 1);
    registry.enter('a', 's2', 's2', 1);
    log();
    registry.suspend('s1', 0);
    expect(log()).toEqual(['leave s1']);
    registry.suspend('s2', 1000);
    registry.clear();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(2000);
    expect(log()).toEqual([]);
    expect(registry.members('a')).toEqual([]);
  });
});
