// Owns finding the exact rules a scan, trade or group was decided with: the registry's copy when it still has that hash,
// otherwise the version stored in rule_set_versions (rules may have changed since).
import { parseRuleSet, type RuleRegistry } from '../rules/loader.js';
import type { RuleSet } from '../rules/schema.js';
import type { Store } from './store-port.js';

export async function loadRuleSet(
  ctx: { rules: RuleRegistry; store: Store },
  name: string,
  hash: string,
): Promise<RuleSet> {
  const current = ctx.rules.get(name);
  if (current?.hash === hash) return current;
  const row = await ctx.store.scans.ruleVersion(hash);
  if (!row) throw new Error(`rule set ${name} version ${hash.slice(0, 12)} is not stored`);
  const parsed = parseRuleSet(row.content, row.file);
  if (!parsed.ok) throw new Error(`stored rule set ${name} version ${hash.slice(0, 12)} no longer parses`);
  return parsed.ruleSet;
}
