import { VERSION } from '../version.js';

/** The User-Agent every request carries. */
export const USER_AGENT = `tsremote/${VERSION}`;
export { VERSION };
