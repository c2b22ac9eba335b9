// Owns the `legwork` command line: parses the sub-command and dispatches; each command lives in its own file.
const USAGE = `usage: legwork <command>

commands:
  sim        start the local Tastytrade venue (same as npm run sim; SIM_PORT, SIM_SEED, SIM_CLOCK)
  help       show this text`;

export async function runCli(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'sim':
      await import('../broker/sim/main.js');
      return new Promise<number>(() => {}); // runs until a signal stops it
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`legwork: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
