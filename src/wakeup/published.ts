import { publishedKey } from '../core/published.js';
import type { WakeupDeps } from './wakeup.jobs.js';

/** The wake-up capability's selection dependencies (its playbook reader included), for preview and run-now. */
export const WAKEUP = publishedKey<WakeupDeps>('wake-up');
