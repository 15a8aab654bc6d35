import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { ApiPageResponse } from '../../common/pagination/page.dto';
import { Page } from '../../common/pagination/pagination';
import { AuditService } from './audit.service';
import { AuditEventDto } from './dto/audit-event.dto';
import { ListAuditEventsQueryDto } from './dto/list-audit-events-query.dto';

@ApiTags('audit')
@Controller('audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'listAuditEvents', summary: 'Who read or changed what, newest first.' })
  @ApiPageResponse(AuditEventDto)
  list(@Query() query: ListAuditEventsQueryDto): Promise<Page<AuditEventDto>> {
    return this.audit.list(query);
  }
}
