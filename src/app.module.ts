import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ProblemDetailsFilter } from './common/errors/problem-details.filter';
import { createValidationPipe } from './common/http/validation.pipe';
import { LoggingModule } from './common/logging/logging.module';
import { appConfig, authConfig, databaseConfig, env } from './config/configuration';
import { dataSourceOptions } from './database/data-source';
import { CommunesModule } from './modules/communes/communes.module';
import { HealthModule } from './modules/health/health.module';
import { MetricsModule } from './modules/metrics/metrics.module';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      validate: () => ({ ...env() }),
      load: [appConfig, databaseConfig, authConfig],
    }),
    LoggingModule,
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
          }),
          retryAttempts: 3,
          retryDelay: 1000,
        };
      },
    }),
    HealthModule,
    MetricsModule,
    CommunesModule,
  ],
  providers: [
    { provide: APP_PIPE, useFactory: createValidationPipe },
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
  ],
})
export class AppModule {}
