#!/usr/bin/env node
// The `leadsync` command: runs the CLI's TypeScript sources under tsx, in this one process.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
