import { ArgumentMetadata, createParamDecorator, ExecutionContext, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Principal } from '@dealledger/auth';
import type { CommandMetadata } from '@dealledger/event-store';

export const CORRELATION_HEADER = 'x-correlation-id';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** Every request gets a correlation id (the caller's, if it sent one), echoed in the response. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(CORRELATION_HEADER);
  const id = given && /^[A-Za-z0-9._:-]{1,100}$/.test(given) ? given : randomUUID();
  (req as Request & { correlationId: string }).correlationId = id;
  res.setHeader(CORRELATION_HEADER, id);
  next();
}

/**
 * Command metadata from the HTTP request: the clock reading, the verified caller (the command's
 * requester and its events' actor), the correlation id, and the command id (the
 * `Idempotency-Key` header when given, so a retried request has no second effect).
 */
export const CommandMeta = createParamDecorator((_: unknown, ctx: ExecutionContext): CommandMetadata => {
  const req = ctx.switchToHttp().getRequest<Request & { correlationId?: string; principal?: Principal }>();
  const key = req.header(IDEMPOTENCY_HEADER);
  const principal = req.principal;
  return {
    commandId: key && key.length <= 200 ? `${principal?.companyId ?? 'anonymous'}:${key}` : randomUUID(),
    now: new Date(),
    requester: principal ?? null,
    correlationId: req.correlationId ?? randomUUID(),
  };
});

const parseUuid = new ParseUUIDPipe({ version: undefined });

/**
 * Route parameters that name an aggregate: any UUID version (ids are v4 or v5), else 400; in
 * lower case, as the ledger writes ids, so that `ABC…` and `abc…` name one stream, not two.
 */
export const uuidParam: PipeTransform<string, Promise<string>> = {
  async transform(value: string, metadata: ArgumentMetadata) {
    return ((await parseUuid.transform(value, metadata)) as string).toLowerCase();
  },
};
