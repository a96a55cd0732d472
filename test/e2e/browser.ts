import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';

const root = join(__dirname, '..', '..');
const { chromiumPath } = require('../../scripts/lib') as { chromiumPath: () => string | null };

/** Debian's Chromium (installed by `npm test` when missing), driven by Playwright over CDP. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium found: install the chromium package or set CHROMIUM_PATH (npm test installs it)');
  // As root (CI here) Chromium refuses its sandbox; the pages it opens are our own, on 127.0.0.1.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * Screenshots of every browser run go to a temporary directory; with SCREENSHOTS=docs the ones
 * the README shows are written over docs/screenshots.
 */
export function screenshotDir(): string {
  const dir = process.env.SCREENSHOTS === 'docs' ? join(root, 'docs', 'screenshots') : join(process.env.TMPDIR ?? '/tmp', 'dealledger-console-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: false });
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * WCAG 2.1 A and AA violations on the page as axe-core (Deque's rules engine) finds them, as
 * "rule: target" strings. Evaluated through the DevTools protocol, so the console's
 * Content-Security-Policy (no inline scripts) stays on while it runs.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.flatMap((v: any) => v.nodes.map((n: any) => `${v.id}: ${n.target.join(' ')} (${v.help})`));
  });
  return violations as string[];
}
