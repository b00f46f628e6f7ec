import { defineConformanceSuite } from '@switchboard/conformance';
import { pusherTarget } from './target.js';

defineConformanceSuite(pusherTarget);
