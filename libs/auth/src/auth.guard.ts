import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  Logger,
  Optional,
  ServiceUnavailableException,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { TokenRevocations } from './revocations';
import { InvalidTokenError, loadSigningKeys, Principal, VerifiedToken, VerifiedTokens } from './token';

const PUBLIC = 'dealledger:public';
/** Marks a route that needs no token (health, docs, registration, token exchange). */
export const Public = () => SetMetadata(PUBLIC, true);

/** The verified bearer of the request's token. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest().principal;
});

export const AUTH_PUBLIC_KEY = Symbol('AUTH_PUBLIC_KEY');

/** How long a request waits for a starting app to learn the revocations so far before a 503. */
const revocationsWaitMs = () => Number(process.env.TOKEN_REVOCATIONS_WAIT_MS ?? 15000);

/**
 * Verifies `Authorization: Bearer <token>` locally with the directory's public keys; no call
 * to the directory is needed. A token of a revoked key, a removed person or an older roles
 * version is refused (the app learns those from the directory's topic). Routes marked
 * @Public() pass without a token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly tokens: VerifiedTokens;

  constructor(
    private readonly reflector: Reflector,
    @Optional() private readonly revocations?: TokenRevocations,
  ) {
    const keys = loadSigningKeys();
    if (keys.development) new Logger('Auth').warn('AUTH_PUBLIC_KEY is not set: using the development key pair (never in production)');
    this.tokens = new VerifiedTokens(keys.publicKeys);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest();
    const header: string | undefined = request.headers?.authorization;
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match) throw new UnauthorizedException('a bearer token is required: get one from POST /auth/token on the directory');
    let verified: VerifiedToken;
    try {
      verified = this.tokens.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new UnauthorizedException(`invalid token: ${err.message}`);
      throw new UnauthorizedException('invalid token');
    }
    if (this.revocations) {
      // A just-started app must not accept a token it would refuse a moment later.
      if (!(await this.revocations.whenCaughtUp(revocationsWaitMs())))
        throw new ServiceUnavailableException('this app is still learning revoked tokens from the directory; try again shortly');
      const revoked = this.revocations.reason(verified.principal, verified.access);
      if (revoked) throw new UnauthorizedException(`invalid token: ${revoked}`);
    }
    request.principal = verified.principal;
    return true;
  }
}
