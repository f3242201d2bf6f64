// Loaded with `node --import`: records every module URL the program loads into $IMPORT_TRACE_FILE.
import { register } from 'node:module';
register('./hooks.mjs', import.meta.url);
