import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Scope, STAFF_ROLES } from '../../common/auth/roles';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { CommunesService } from './communes.service';
import { CommuneDto } from './dto/commune.dto';
import { ListCommunesQueryDto } from './dto/list-communes-query.dto';

@ApiTags('reference data')
@Controller('communes')
export class CommunesController {
  constructor(private readonly communes: CommunesService) {}

  @Get()
  @Access({ roles: STAFF_ROLES, scopes: [Scope.ReferenceRead] })
  @ApiOperation({ operationId: 'listCommunes', summary: 'The communes of the département with their EPT.' })
  @ApiPageResponse(CommuneDto)
  list(@Query() query: ListCommunesQueryDto): Promise<Page<CommuneDto>> {
    return this.communes.list(query);
  }
}
