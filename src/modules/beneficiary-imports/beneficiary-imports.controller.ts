import '@fastify/multipart';
import { Controller, Get, HttpCode, Post, Req } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Access } from '../../common/auth/access.decorator';
import { Role, Scope } from '../../common/auth/roles';
import { Actor, CurrentActor } from '../../common/context/actor';
import { IdParam } from '../../common/http/id-param';
import { fileMissing } from './beneficiary-imports.errors';
import { BeneficiaryImportsService } from './beneficiary-imports.service';
import { BeneficiaryImportDto, ImportAcceptedDto } from './dto/beneficiary-import.dto';

@ApiTags('beneficiary imports')
@Controller('beneficiary-imports')
export class BeneficiaryImportsController {
  constructor(private readonly imports: BeneficiaryImportsService) {}

  @Post()
  @HttpCode(202)
  @Access({ roles: [Role.Admin], scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({
    operationId: 'importBeneficiaries',
    summary: 'Upload a CSV or CAF XML beneficiary file; it is processed in the background.',
    description:
      'The format is recognised from the content. CSV: a header line naming the documented columns, comma or semicolon separated, ' +
      'in UTF-8 or, when the file is not valid UTF-8, Windows-1252 (a spreadsheet in French). CAF XML (flux bénéficiaires): in the ' +
      'encoding its XML declaration names, UTF-8 by default. A file that cannot be read makes the import `failed`, with nothing loaded.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiAcceptedResponse({ type: ImportAcceptedDto })
  async submit(@CurrentActor() actor: Actor, @Req() request: FastifyRequest): Promise<ImportAcceptedDto> {
    const file = request.isMultipart() ? await request.file() : undefined;
    if (!file || file.fieldname !== 'file') throw fileMissing();
    const content = await file.toBuffer();
    return this.imports.submit(actor, file.filename || 'upload', content);
  }

  @Get(':id')
  @Access({ roles: [Role.Admin], scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'getBeneficiaryImport', summary: 'Status, totals and rejected lines of an import.' })
  @ApiOkResponse({ type: BeneficiaryImportDto })
  get(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<BeneficiaryImportDto> {
    return this.imports.get(actor.principal, id);
  }

  @Post(':id/retry')
  @HttpCode(202)
  @Access({ roles: [Role.Admin], scopes: [Scope.BeneficiariesWrite] })
  @ApiOperation({ operationId: 'retryBeneficiaryImport', summary: 'Run a failed import again.' })
  @ApiUnprocessableEntityResponse({ description: 'IMPORT_NOT_RETRYABLE: only a failed import runs again.' })
  @ApiAcceptedResponse({ type: ImportAcceptedDto })
  retry(@CurrentActor() actor: Actor, @IdParam() id: string): Promise<ImportAcceptedDto> {
    return this.imports.retry(actor, id);
  }
}
