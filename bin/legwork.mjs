#!/usr/bin/env node
// Owns the `legwork` command: loads TypeScript through tsx and hands argv to the CLI.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
// `start`, `worker` and `venue` run processes, which live in workers/ (loaded only for those commands)
const runStart = async (argv, mode) => (await import('../workers/start.ts')).runStart(argv, mode);
const runVenue = async () => (await import('../workers/venue.ts')).runVenue();
process.exitCode = await runCli(process.argv.slice(2), { runStart, runVenue });
