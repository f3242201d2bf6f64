/** Types for modules.mjs. */
export const MODULES: string[];
export function loadLib(importer: (rel: string) => Promise<Record<string, unknown>>): Promise<Record<string, unknown>>;
