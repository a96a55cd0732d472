#!/usr/bin/env node
// Checks the architecture rules of .dependency-cruiser.cjs with dependency-cruiser's API.
//   node scripts/dependency-rules.mjs                  apps and libs of this repository
//   node scripts/dependency-rules.mjs --json           the violations as JSON, for tests
//   node scripts/dependency-rules.mjs --base-dir DIR   another tree laid out as apps/ and libs/
// Exits 1 when a rule is broken. An ES module because dependency-cruiser is one (Jest cannot
// require it, so the test runs this file).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
const json = args.includes('--json');
const baseDirAt = args.indexOf('--base-dir');
const baseDir = baseDirAt >= 0 ? resolve(args[baseDirAt + 1]) : ROOT;

const options = await extractDepcruiseOptions(join(ROOT, '.dependency-cruiser.cjs'));
const tsConfigFile = join(ROOT, options.ruleSet.options?.tsConfig?.fileName ?? 'tsconfig.json');
options.ruleSet.options = { ...options.ruleSet.options, tsConfig: { fileName: tsConfigFile } };
options.tsConfig = { fileName: tsConfigFile };
options.baseDir = baseDir;
options.validate = true;
options.outputType = 'json';

const targets = ['apps', 'libs'].filter((d) => existsSync(join(baseDir, d)));
const result = await cruise(targets, options, {}, { tsConfig: extractTSConfig(tsConfigFile) });
const summary = typeof result.output === 'string' ? JSON.parse(result.output).summary : result.output.summary;
const violations = summary.violations.map((v) => ({
  rule: v.rule.name,
  from: v.from,
  to: v.to,
  ...(v.cycle ? { cycle: v.cycle.map((c) => c.name ?? c) } : {}),
}));

if (json) {
  process.stdout.write(`${JSON.stringify({ modules: summary.totalCruised, violations }, null, 2)}\n`);
} else {
  for (const v of violations) console.log(`${v.rule}: ${v.from} -> ${v.to}${v.cycle ? ` (cycle ${v.cycle.join(' -> ')})` : ''}`);
  console.log(`${violations.length} violation(s) in ${summary.totalCruised} modules`);
}
process.exitCode = violations.length > 0 ? 1 : 0;
