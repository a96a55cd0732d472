import { Body, Controller, HttpCode, Post, UnauthorizedException, UseGuards } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ThrottlerGuard, ThrottlerModuleOptions } from '@nestjs/throttler';
import { Public } from '@dealledger/auth';
import { DomainError } from '@dealledger/domain';
import { IssueTokenQuery } from './issue-token.query-handler';
import { IssueTokenRequest, TokenResponse } from './issue-token.request.dto';

/**
 * Token requests are slowed per address, and per key from one address (the key without its
 * secret: trying secrets of one key counts against that key). Not per key alone: key ids are
 * public (ApiKeyIssued), and anyone could then lock a key's holder out. Limits per minute.
 */
export function tokenThrottlers(): ThrottlerModuleOptions {
  return {
    errorMessage: 'too many token requests; wait a minute before trying again',
    throttlers: [
      { name: 'address', ttl: 60_000, limit: Number(process.env.TOKEN_RATE_PER_ADDRESS ?? 60) },
      {
        name: 'key',
        ttl: 60_000,
        limit: Number(process.env.TOKEN_RATE_PER_KEY ?? 10),
        getTracker: (req: Record<string, any>) => {
          const key = typeof req.body?.apiKey === 'string' ? req.body.apiKey.split('.').slice(0, 3).join('.').slice(0, 200) : '';
          return `${req.ip}|${key}`;
        },
      },
    ],
  };
}

@ApiTags('auth')
@UseGuards(ThrottlerGuard)
@ApiTooManyRequestsResponse({ description: 'Too many token requests from this address or for this key (problem+json)' })
@Controller('auth/token')
export class IssueTokenHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Public()
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange an API key for a signed token that every app verifies locally' })
  @ApiOkResponse({ type: TokenResponse })
  @ApiUnauthorizedResponse({ description: 'Unknown or wrong API key' })
  async issue(@Body() body: IssueTokenRequest): Promise<TokenResponse> {
    try {
      return await this.queries.execute(new IssueTokenQuery(body.apiKey, new Date()));
    } catch (err) {
      // A bad credential is a 401, whichever part of it was wrong.
      if (err instanceof DomainError && err.code === 'auth.invalid_api_key') throw new UnauthorizedException('the API key is not valid');
      throw err;
    }
  }
}
