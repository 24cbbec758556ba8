// Reads the widget's script from disk, once, for runtimes with a file system (Node); a Workers root
// would bundle assets/widget.js as text instead.
import { readFileSync } from 'node:fs';

let script: string | undefined;

export function readWidgetScript(): string {
  script ??= readFileSync(new URL('./assets/widget.js', import.meta.url), 'utf8');
  return script;
}
