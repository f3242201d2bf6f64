/** The version sent in User-Agent; kept equal to package.json's by test/transport/version.test.ts. */
export const VERSION = '0.1.0';

export const USER_AGENT = `tsremote/${VERSION}`;
