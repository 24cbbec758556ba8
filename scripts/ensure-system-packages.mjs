#!/usr/bin/env node
// Before the tests: the report tests read PDFs back with pdftotext (poppler-utils) and check them with
// qpdf; the browser tests drive Debian's Chromium at /usr/bin/chromium (never a downloaded browser).
// Installs what is missing with apt-get when running as root; otherwise says what to install.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const TOOLS = [
  { command: 'pdftotext', pkg: 'poppler-utils' },
  { command: 'qpdf', pkg: 'qpdf' },
  // playwright-core launches exactly this path (test/browser).
  { command: '/usr/bin/chromium', pkg: 'chromium' },
];

const has = (command) =>
  command.startsWith('/') ? existsSync(command) : spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = TOOLS.filter((tool) => !has(tool.command));
if (missing.length === 0) process.exit(0);

const packages = [...new Set(missing.map((tool) => tool.pkg))];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !has('apt-get')) {
  console.error(
    `error: the tests need ${missing.map((t) => t.command).join(' and ')}: install them with "sudo apt-get install -y ${packages.join(' ')}"`,
  );
  process.exit(1);
}
console.error(`installing ${packages.join(', ')} for the report and browser tests (apt-get)`);
try {
  execFileSync('apt-get', ['update'], { stdio: ['ignore', 'ignore', 'inherit'] });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
} catch {
  console.error(`error: apt-get could not install ${packages.join(' ')}; install them and run the tests again`);
  process.exit(1);
}
