import { siblingModule } from '../project-paths.js';

/** The workflow bundle's entry point, in whichever form (.ts or .js) the service runs as. */
export const workflowsPath = siblingModule(import.meta.url, '../workflows/index.js');
