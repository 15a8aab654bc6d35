import { Global, Module } from '@nestjs/common';
import { AuditReadInterceptor } from './audit-read.interceptor';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

/** Global: every feature writes its audit rows through AuditService. */
@Global()
@Module({
  controllers: [AuditController],
  providers: [AuditService, AuditReadInterceptor],
  exports: [AuditService, AuditReadInterceptor],
})
export class AuditModule {}
