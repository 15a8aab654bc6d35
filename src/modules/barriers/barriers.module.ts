import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module';
import { ActionPlanService } from './action-plan.service';
import { ActionPlanController } from './action-plan.controller';
import { BarriersController } from './barriers.controller';
import { BarriersService } from './barriers.service';

/** Barriers ("freins") and the action plan of a case (domain.md §3). */
@Module({
  imports: [BeneficiariesModule],
  controllers: [BarriersController, ActionPlanController],
  providers: [BarriersService, ActionPlanService],
  exports: [BarriersService],
})
export class BarriersModule {}
