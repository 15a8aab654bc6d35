import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module';
import { ProgrammesModule } from '../programmes/programmes.module';
import { ReferralsModule } from '../referrals/referrals.module';
import { CohortService } from './cohort.service';
import { ConstructionPathwayController } from './construction-pathway.controller';
import { OperationsService } from './operations.service';
import { ParticipantsService } from './participants.service';

/** "Bâtissons nos emplois": participants, steps, employments, social clauses, alerts and dashboard (domain.md §5). */
@Module({
  imports: [BeneficiariesModule, ProgrammesModule, ReferralsModule],
  controllers: [ConstructionPathwayController],
  providers: [ParticipantsService, OperationsService, CohortService],
  exports: [ParticipantsService],
})
export class ConstructionPathwayModule {}
