/**
 * The conformance suite (private): one behaviour suite every switchboard transport passes against a
 * real peer on 127.0.0.1, plus the TCP fault proxy that drives its reliability cases.
 */
export { defineConformanceSuite } from './suite.js';
export { FaultProxy, type ProxyMode } from './proxy.js';
export { Harness, TEST_BACKOFF, type ClientFixture, type ClientFixtureOptions } from './harness.js';
export { longPollingTarget, pollingTarget, sseTarget, startNativePeer, websocketTarget } from './native.js';
export type { ConformanceTarget, Peer, PeerOptions, TransportFactoryOptions } from './target.js';
export { activeResources, resourcesAbove, waitFor } from './wait.js';
