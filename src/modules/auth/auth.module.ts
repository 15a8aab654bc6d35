import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { DataSource } from 'typeorm';
import { authConfig } from '../../config/configuration';
import { ApiClientsModule } from '../api-clients/api-clients.module';
import { UsersModule } from '../users/users.module';
import { credentialTracker } from './auth-throttler.guard';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { VerifiedTokens } from '../../common/auth/verified-tokens';
import { JwtStrategy } from './jwt.strategy';
import { PgThrottlerStorage } from './pg-throttler.storage';

@Module({
  imports: [
    PassportModule,
    JwtModule.register({}),
    UsersModule,
    ApiClientsModule,
    ThrottlerModule.forRootAsync({
      inject: [authConfig.KEY, DataSource],
      useFactory: (auth: ConfigType<typeof authConfig>, dataSource: DataSource) => ({
        storage: new PgThrottlerStorage(dataSource),
        setHeaders: false,
        throttlers: [
          { name: 'per-ip', ttl: auth.login.windowSeconds * 1000, limit: auth.login.maxPerIp, blockDuration: auth.login.windowSeconds * 1000 },
          {
            name: 'per-account',
            ttl: auth.login.windowSeconds * 1000,
            limit: auth.login.maxPerAccount,
            blockDuration: auth.login.windowSeconds * 1000,
            getTracker: credentialTracker,
          },
        ],
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, JwtStrategy, VerifiedTokens],
  exports: [VerifiedTokens],
})
export class AuthModule {}
