import { defineConformanceSuite, longPollingTarget } from '../src/index.js';

defineConformanceSuite(longPollingTarget);
