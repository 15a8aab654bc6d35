import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Principal } from '../../common/auth/principal';
import { Role } from '../../common/auth/roles';
import { Actor } from '../../common/context/actor';
import { FieldEncryption } from '../../common/crypto/field-encryption';
import { beneficiariesConfig } from '../../config/configuration';
import { AuditService } from '../audit/audit.service';
import { JobsService } from '../jobs/jobs.service';
import { fileEmpty, importNotFound, importNotRetryable } from './beneficiary-imports.errors';
import { BeneficiaryImportDto, ImportAcceptedDto } from './dto/beneficiary-import.dto';
import { BeneficiaryImport, ImportError } from './entities/beneficiary-import.entity';
import { loadRows } from './import-loader';
import { FileFormatError, parseCafXml, parseCsv, RawRecord } from './import-parsers';
import { validateRecords } from './import-rows';

export const IMPORT_JOB = 'beneficiary-import';
const MAX_REPORTED_ERRORS = 1000;

/**
 * Beneficiary files: stored on upload, processed by a pg-boss worker on any
 * instance. Validation per row with the API's rules; loading set-based in one
 * transaction (see import-loader.ts), so a failure or a crash leaves nothing half done.
 */
@Injectable()
export class BeneficiaryImportsService implements OnApplicationBootstrap {
  private readonly logger = new Logger(BeneficiaryImportsService.name);
  private readonly crypto: FieldEncryption;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    @Inject(beneficiariesConfig.KEY) private readonly config: ConfigType<typeof beneficiariesConfig>,
  ) {
    this.crypto = new FieldEncryption(config.nirEncryptionKey, config.nirHashKey);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.jobs.work<{ importId: string }>(IMPORT_JOB, ({ importId }) => this.process(importId));
  }

  async submit(actor: Actor, filename: string, content: Buffer): Promise<ImportAcceptedDto> {
    if (content.length === 0) throw fileEmpty();
    const format = content.subarray(0, 200).toString('utf8').replace(/^\uFEFF/, '').trimStart().startsWith('<') ? 'caf_xml' : 'csv';
    const created = await this.dataSource.transaction(async (manager) => {
      const row = await manager.save(manager.create(BeneficiaryImport, { format, filename, content, createdBy: actor.principal.id }));
      await this.audit.record(actor, { action: 'beneficiary_import.submit', resourceType: 'beneficiary_import', resourceId: row.id, details: { format, bytes: content.length } }, manager);
      return row;
    });
    await this.jobs.send(IMPORT_JOB, { importId: created.id });
    return { id: created.id, status: 'queued' };
  }

  async get(principal: Principal, id: string): Promise<BeneficiaryImportDto> {
    const row = await this.dataSource.getRepository(BeneficiaryImport).findOne({ where: { id } });
    if (!row || (principal.role !== Role.Admin && row.createdBy !== principal.id)) throw importNotFound();
    return toImportDto(row);
  }

  /** Runs a failed import again (its file is kept until the import completes). */
  async retry(actor: Actor, id: string): Promise<ImportAcceptedDto> {
    const result = await this.dataSource.getRepository(BeneficiaryImport).update({ id, status: 'failed' }, { status: 'queued', failure: null });
    if (!result.affected) {
      await this.get(actor.principal, id);
      throw importNotRetryable();
    }
    await this.jobs.send(IMPORT_JOB, { importId: id });
    return { id, status: 'queued' };
  }

  /** The job: parse, validate, load. Safe to run again after a crash: nothing was committed. */
  async process(importId: string): Promise<void> {
    const repo = this.dataSource.getRepository(BeneficiaryImport);
    const row = await repo.createQueryBuilder('i').addSelect('i.content').where('i.id = :importId', { importId }).getOne();
    if (!row || row.status === 'completed' || !row.content) return;
    await repo.update({ id: importId }, { status: 'running', startedAt: new Date() });
    try {
      const records: RawRecord[] = row.format === 'caf_xml' ? parseCafXml(row.content) : await parseCsv(row.content);
      const { valid, errors } = validateRecords(records);
      const runner = this.dataSource.createQueryRunner();
      const client = (await runner.connect()) as PoolClient;
      let result;
      try {
        await runner.startTransaction();
        await client.query(`SET LOCAL statement_timeout = 0`);
        result = await loadRows(client, valid, this.crypto, importId, this.config.deadlines.orientationDays);
        const allErrors: ImportError[] = [...errors, ...result.rejected].sort((a, b) => a.line - b.line);
        const rejectedLines = new Set(allErrors.map((e) => e.line)).size;
        await runner.manager.update(BeneficiaryImport, { id: importId }, {
          status: 'completed',
          content: null,
          totals: { rows: records.length, created: result.created, updated: result.updated, unchanged: result.unchanged, rejected: rejectedLines },
          errors: allErrors.slice(0, MAX_REPORTED_ERRORS),
          finishedAt: new Date(),
        });
        await this.audit.recordAnonymous(null, {
          action: 'beneficiary_import.complete',
          resourceType: 'beneficiary_import',
          resourceId: importId,
          details: { rows: records.length, created: result.created, updated: result.updated, rejected: rejectedLines },
        }, runner.manager);
        await runner.commitTransaction();
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw error;
      } finally {
        await runner.release();
      }
    } catch (error) {
      const failure = error instanceof FileFormatError ? error.message : 'the file could not be loaded; see the server log with this import id';
      if (!(error instanceof FileFormatError)) this.logger.error({ err: error, importId }, 'beneficiary import failed');
      await repo.update({ id: importId }, { status: 'failed', failure, finishedAt: new Date() });
    }
  }
}

function toImportDto(row: BeneficiaryImport): BeneficiaryImportDto {
  return {
    id: row.id,
    status: row.status,
    format: row.format,
    filename: row.filename,
    totals: row.totals,
    errors: row.errors,
    failure: row.failure,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
