import type { DataSource } from 'typeorm';

type ErrorLike = { code?: unknown; message?: unknown; driverError?: { code?: unknown } };

/** Network failures of the driver: Node's socket error codes. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether an error says nothing about the event or deadline being handled, so that it must
 * not count towards parking it: the connection or server failing (SQLSTATE classes 08, 53,
 * 57, 58, network errors), concurrency (40: serialization, deadlock; 55P03: lock not
 * available), or a schema that does not match the code (42: a missing table or column would
 * make every row fail the same way, and parking them all would hide a deployment mistake).
 */
export function isInfrastructureError(err: unknown): boolean {
  const e = (err ?? {}) as ErrorLike;
  const code = String(e.code ?? e.driverError?.code ?? '');
  if (NETWORK_CODES.has(code)) return true;
  if (/^(08|40|42|53|57|58)/.test(code) || code === '55P03') return true;
  return /Connection terminated|timeout exceeded when trying to connect|database is not established|Driver not Connected|Cannot use a pool after calling end/i.test(
    String(e.message ?? ''),
  );
}

/** One round trip: whether the database answers now. */
export async function databaseAnswers(dataSource: DataSource): Promise<boolean> {
  try {
    await dataSource.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
