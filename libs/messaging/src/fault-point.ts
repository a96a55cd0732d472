import { unlinkSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Crash points for fault injection (`npm run chaos`). Only when FAULT_DIR is set: a file named
 * `<pid>.<point>` in it arms the point once, and the next time this process passes the point it
 * removes the file and kills itself with SIGKILL, as a power cut there would. Without FAULT_DIR
 * a point costs one comparison.
 */
export type FaultPointName = 'relay-acked' | 'consumer-handled' | 'consumer-committed';

const dir = process.env.FAULT_DIR;

export function faultPoint(name: FaultPointName): void {
  if (!dir) return;
  try {
    // Removing the file is what claims it: a point armed once fires once.
    unlinkSync(join(dir, `${process.pid}.${name}`));
  } catch {
    return;
  }
  process.kill(process.pid, 'SIGKILL');
}
