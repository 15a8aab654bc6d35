import { Module } from '@nestjs/common';
import { BeneficiaryImportsController } from './beneficiary-imports.controller';
import { BeneficiaryImportsService } from './beneficiary-imports.service';

@Module({
  controllers: [BeneficiaryImportsController],
  providers: [BeneficiaryImportsService],
})
export class BeneficiaryImportsModule {}
