import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module';
import { JournalController } from './journal.controller';
import { JournalService } from './journal.service';

/** The journal of a case: dated notes by agency staff (domain.md §3). */
@Module({
  imports: [BeneficiariesModule],
  controllers: [JournalController],
  providers: [JournalService],
  exports: [JournalService],
})
export class JournalModule {}
