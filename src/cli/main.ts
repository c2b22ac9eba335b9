// Owns the `legwork` command line: parses the sub-command and dispatches; each command lives in its own file.
const USAGE = `usage: legwork <command>

commands:
  start      run Legwork: every worker and scan scheduler (paper mode: starts the local venue if needed)
  worker     ROLE[,ROLE…]: run worker roles in one process (reconcile, monitor, execute, exit, scan, api, chat)
  venue      start the local Tastytrade venue (alias: sim; same as npm run venue; VENUE_PORT, VENUE_CLOCK; --help)
  chain      SYMBOL [--dte MIN-MAX] [--json]: option chain with bid/ask/mid, IV and greeks from the broker
  rules      check [PATH...]: validate rule files (default rules/), file:line:col for every problem
  scan       --once [--rules FILE] [--json]: one scan of the enabled rule sets, ranked candidates (trades nothing)
  trade      --underlying SYM --strategy NAME [--rules FILE] [--mode combo|legged] [--quantity N]: one trade by hand
  trades     [--json]: trades with status, legs, entry credit, realised/unrealised P&L
  approve    ID [--reason TEXT]: approve a trade awaiting approval (execution.approval: manual); it is planned now
  reject     ID [--reason TEXT]: reject a trade awaiting approval (audited with who and why)
  history    [--days N] [--intraday] [--json]: the account after each session close (net liq, P&L, greeks)
  risk       [--json] [--days N]: the account's risk now: greeks, VaR, what-if grid, account limits and failsafes
  halt       [--flatten] [--reason TEXT]: kill switch (no new entries; --flatten closes everything held, until flat)
  resume     [--force] [--reason TEXT]: allow new entries again (refused while anything is broken unless --force)
  promote    RULE_SET --reason TEXT | --status [--json]: promote a rule set to production once its paper trades
             with its current hash are enough (TT_ENV=production refuses unpromoted ones); --status: where each stands
  help       show this text`;

/**
 * Commands that run processes live with them in workers/ (src never imports workers, nor the venue package): the bin
 * passes them in.
 */
export interface ProcessCommands {
  runStart(argv: string[], mode: 'start' | 'worker'): Promise<number>;
  /** Runs the local venue (@legwork/venue) until a signal stops it. */
  runVenue(): Promise<number>;
}

export async function runCli(argv: string[], processes?: ProcessCommands): Promise<number> {
  const [command] = argv;
  switch (command) {
    case 'venue':
    case 'sim':
    case 'start':
    case 'worker':
      if (!processes) {
        console.error(`legwork ${command}: run it through bin/legwork.mjs`);
        return 2;
      }
      return command === 'venue' || command === 'sim'
        ? processes.runVenue()
        : processes.runStart(argv.slice(1), command);
    case 'chain':
      return (await import('./chain.js')).runChain(argv.slice(1));
    case 'rules':
      return (await import('./rules-check.js')).runRules(argv.slice(1));
    case 'scan':
      return (await import('./scan.js')).runScan(argv.slice(1));
    case 'trade':
      return (await import('./trade.js')).runTrade(argv.slice(1));
    case 'trades':
      return (await import('./trades.js')).runTrades(argv.slice(1));
    case 'approve':
      return (await import('./approve.js')).runApprove(argv.slice(1), 'approve');
    case 'reject':
      return (await import('./approve.js')).runApprove(argv.slice(1), 'reject');
    case 'history':
      return (await import('./history.js')).runHistory(argv.slice(1));
    case 'risk':
      return (await import('./risk.js')).runRisk(argv.slice(1));
    case 'halt':
      return (await import('./halt.js')).runHalt(argv.slice(1), 'halt');
    case 'resume':
      return (await import('./halt.js')).runHalt(argv.slice(1), 'resume');
    case 'promote':
      return (await import('./promote.js')).runPromote(argv.slice(1));
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
