import { defineConformanceSuite, pollingTarget } from '../src/index.js';

defineConformanceSuite(pollingTarget);
