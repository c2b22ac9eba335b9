// Owns the `legwork` command line: parses the sub-command and dispatches; each command lives in its own file.
const USAGE = `usage: legwork <command>

commands:
  start      run Legwork: every worker and scan scheduler (paper mode: starts the local venue if needed)
  worker     ROLE: run one worker role (scan)
  sim        start the local Tastytrade venue (same as npm run sim; SIM_PORT, SIM_SEED, SIM_CLOCK)
  chain      SYMBOL [--dte MIN-MAX] [--json]: option chain with bid/ask/mid, IV and greeks from the broker
  rules      check [PATH...]: validate rule files (default rules/), file:line:col for every problem
  scan       --once [--rules FILE] [--json]: one scan of the enabled rule sets, ranked candidates (trades nothing)
  help       show this text`;

export async function runCli(argv: string[]): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'sim':
      await import('../broker/sim/main.js');
      return new Promise<number>(() => {}); // runs until a signal stops it
    case 'start':
      return (await import('./start.js')).runStart(argv.slice(1), 'start');
    case 'worker':
      return (await import('./start.js')).runStart(argv.slice(1), 'worker');
    case 'chain':
      return (await import('./chain.js')).runChain(argv.slice(1));
    case 'rules':
      return (await import('./rules-check.js')).runRules(argv.slice(1));
    case 'scan':
      return (await import('./scan.js')).runScan(argv.slice(1));
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
