import { Global, Module } from '@nestjs/common';
import { Sql } from './sql';

/** Global: the plain-SQL helper on the application's pool. */
@Global()
@Module({ providers: [Sql], exports: [Sql] })
export class DatabaseModule {}
