import { CanActivate, createParamDecorator, ExecutionContext, Injectable, Logger, SetMetadata, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { KeyObject } from 'node:crypto';
import { InvalidTokenError, loadSigningKeys, Principal, verifyToken } from './token';

const PUBLIC = 'dealledger:public';
/** Marks a route that needs no token (health, docs, registration, token exchange). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The verified bearer of the request's token. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});

export const AUTH_PUBLIC_KEY = Symbol('AUTH_PUBLIC_KEY');

/**
 * Verifies `Authorization: Bearer <token>` locally with the directory's public key; no call
 * to the directory is needed. Routes marked @Public() pass without a token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly publicKey: KeyObject;

  constructor(private readonly reflector: Reflector) {
    const keys = loadSigningKeys();
    if (keys.development) new Logger('Auth').warn('AUTH_PUBLIC_KEY is not set: using the development key pair (never in production)');
    this.publicKey = keys.publicKey;
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers?.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new UnauthorizedException('a bearer token is required: get one from POST /auth/token on the directory');
    try {
      request.principal = verifyToken(match[1], this.publicKey);
      return true;
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new UnauthorizedException(`invalid token: ${err.message}`);
      throw new UnauthorizedException('invalid token');
    }
  }
}
