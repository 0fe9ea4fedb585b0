/** The Wechaty platform edge and the simulated world it can connect to. */
export { createWechatyEdge, type WechatyEdge, type WechatyEdgeEvents, type WechatyEdgeOptions } from './edge.js';
export { SendTimeoutError } from './transport.js';
export { toInbound, toInboundType } from './convert.js';
export { startWorld, type BotMessage, type SayOptions, type World, type WorldOptions } from './world/server.js';
export { DEMO_SEED_DIR, loadSeed, type WorldSeed } from './world/seed.js';
export { seededRandom } from './world/traffic.js';
