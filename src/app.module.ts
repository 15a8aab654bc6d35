import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { AccessGuard } from './common/auth/access.guard';
import { JwtAuthGuard } from './common/auth/jwt-auth.guard';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { appConfig, auditConfig, authConfig, beneficiariesConfig, databaseConfig, env, jobsConfig, pathwayConfig, referralsConfig, retentionConfig, suspensionsConfig, webhooksConfig } from './config/configuration';
import { dataSourceOptions } from './database/data-source';
import { DatabaseModule } from './database/database.module';
import { AdvisorsModule } from './modules/advisors/advisors.module';
import { AgenciesModule } from './modules/agencies/agencies.module';
import { ApiClientsModule } from './modules/api-clients/api-clients.module';
import { AuditModule } from './modules/audit/audit.module';
import { AuthModule } from './modules/auth/auth.module';
import { BarriersModule } from './modules/barriers/barriers.module';
import { BeneficiariesModule } from './modules/beneficiaries/beneficiaries.module';
import { BeneficiaryImportsModule } from './modules/beneficiary-imports/beneficiary-imports.module';
import { ConstructionPathwayModule } from './modules/construction-pathway/construction-pathway.module';
import { CommunesModule } from './modules/communes/communes.module';
import { JobsModule } from './modules/jobs/jobs.module';
import { JournalModule } from './modules/journal/journal.module';
import { OutboxModule } from './modules/outbox/outbox.module';
import { ProgrammesModule } from './modules/programmes/programmes.module';
import { ProvidersModule } from './modules/providers/providers.module';
import { ReferralsModule } from './modules/referrals/referrals.module';
import { ReportsModule } from './modules/reports/reports.module';
import { RetentionModule } from './modules/retention/retention.module';
import { SuspensionsModule } from './modules/suspensions/suspensions.module';
import { TimelineModule } from './modules/timeline/timeline.module';
import { UsersModule } from './modules/users/users.module';
import { WebhookEndpointsModule } from './modules/webhook-endpoints/webhook-endpoints.module';
import { WebhooksInboundModule } from './modules/webhooks-inbound/webhooks-inbound.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: () => ({ ...env() }),
      load: [appConfig, databaseConfig, authConfig, jobsConfig, auditConfig, beneficiariesConfig, suspensionsConfig, referralsConfig, retentionConfig, pathwayConfig, webhooksConfig],
    }),
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => {
        if (!db.url) throw new Error('DATABASE_URL is not set: start the app through main.ts, which resolves the database');
        return {
          ...dataSourceOptions({
            url: db.url,
            poolSize: db.poolSize,
            statementTimeoutMs: db.statementTimeoutMs,
            connectTimeoutMs: db.connectTimeoutMs,
            timeZone: db.timeZone,
          }),
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
    }),
    DatabaseModule,
    JobsModule,
    AuditModule,
    OutboxModule,
    TimelineModule,
    HealthModule,
    MetricsModule,
    AuthModule,
    UsersModule,
    ApiClientsModule,
    CommunesModule,
    AgenciesModule,
    ProvidersModule,
    AdvisorsModule,
    BeneficiariesModule,
    BeneficiaryImportsModule,
    RetentionModule,
    BarriersModule,
    JournalModule,
    SuspensionsModule,
    ProgrammesModule,
    ReferralsModule,
    ReportsModule,
    ConstructionPathwayModule,
    WebhooksInboundModule,
    WebhookEndpointsModule,
  ],
  providers: [
    // Order matters: authenticate, then check the route's access rule.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
