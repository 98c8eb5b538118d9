export { createFakeDiscord } from './server.js';
export type * from './types.js';
