import { defineConformanceSuite } from '@switchboard/conformance';
import { ablyTarget } from './target.js';

defineConformanceSuite(ablyTarget);
