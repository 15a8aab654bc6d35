import { Module } from '@nestjs/common';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { SnapshotsService } from './snapshots.service';

@Module({
  controllers: [ReportsController],
  providers: [ReportsService, SnapshotsService],
})
export class ReportsModule {}
