import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access } from '../../common/auth/access.decorator';
import { Role } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { RetentionReportDto } from './dto/retention.dto';
import { RetentionService } from './retention.service';

@ApiTags('personal data')
@Controller('retention')
export class RetentionController {
  constructor(private readonly retention: RetentionService) {}

  @Get('preview')
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'previewRetention', summary: 'Dry run: who the retention job would anonymise now.' })
  @ApiOkResponse({ type: RetentionReportDto })
  preview(@CurrentActor() actor: Actor): Promise<RetentionReportDto> {
    return this.retention.preview(actor);
  }

  @Post('run')
  @HttpCode(200)
  @Access({ roles: [Role.Admin] })
  @ApiOperation({ operationId: 'runRetention', summary: 'Anonymise now everyone past the retention period (also run daily at 02:47).' })
  @ApiOkResponse({ type: RetentionReportDto })
  run(@CurrentActor() actor: Actor): Promise<RetentionReportDto> {
    return this.retention.run(actor);
  }
}
