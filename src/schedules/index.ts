/** Routines: the scheduler capabilities declare their timers on. Other folders import schedules/ only through this file (test/architecture/layers.ts). */
export { type Scheduler } from './scheduler.js';
