import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { CommunesModule } from '../communes/communes.module';
import { AgencyCaseloadController, BeneficiariesController, CaseloadTransfersController } from './beneficiaries.controller';
import { BeneficiariesRepository } from './beneficiaries.repository';
import { BeneficiariesService } from './beneficiaries.service';
import { CaseAccessService } from './case-access.service';
import { ContractsController, OrientationsController } from './case-actions.controller';
import { CaseFileService } from './case-file.service';
import { ContractsService } from './contracts.service';
import { OrientationsService } from './orientations.service';

@Module({
  imports: [AgenciesModule, CommunesModule],
  controllers: [BeneficiariesController, AgencyCaseloadController, CaseloadTransfersController, OrientationsController, ContractsController],
  providers: [BeneficiariesService, BeneficiariesRepository, CaseAccessService, CaseFileService, OrientationsService, ContractsService],
  exports: [BeneficiariesService, CaseAccessService, CaseFileService, OrientationsService],
})
export class BeneficiariesModule {}
