#!/usr/bin/env node
// Owns the `legwork` command: loads TypeScript through tsx and hands argv to the CLI.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
