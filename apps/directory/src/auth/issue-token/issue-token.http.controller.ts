import { Body, Controller, HttpCode, Post, UnauthorizedException } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Public } from '@dealledger/auth';
import { DomainError } from '@dealledger/domain';
import { IssueTokenQuery } from './issue-token.query-handler';
import { IssueTokenRequest, TokenResponse } from './issue-token.request.dto';

@ApiTags('auth')
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
