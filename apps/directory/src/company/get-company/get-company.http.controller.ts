import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@dealledger/auth';
import { GetCompanyQuery } from './get-company.query-handler';
import { CompanyResponse } from './get-company.response.dto';

@ApiTags('companies')
@ApiBearerAuth()
@Controller('companies')
export class GetCompanyHttpController {
  constructor(private readonly queries: QueryBus) {}

  @Get(':id')
  @ApiOperation({ summary: 'A company, its roles and its decision makers' })
  @ApiOkResponse({ type: CompanyResponse })
  @ApiNotFoundResponse({ description: 'No such company' })
  get(@Param('id', new ParseUUIDPipe({ version: undefined })) companyId: string, @CurrentPrincipal() viewer: Principal): Promise<CompanyResponse> {
    return this.queries.execute(new GetCompanyQuery(companyId, viewer));
  }
}
