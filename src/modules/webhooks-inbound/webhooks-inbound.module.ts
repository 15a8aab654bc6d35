import { Module } from '@nestjs/common';
import { BeneficiariesModule } from '../beneficiaries/beneficiaries.module';
import { ConstructionPathwayModule } from '../construction-pathway/construction-pathway.module';
import { FranceTravailProcessor } from './france-travail.processor';
import { InboxWriter } from './inbox-writer';
import { WebhookInboxService } from './webhook-inbox.service';
import { WebhooksInboundController } from './webhooks-inbound.controller';

/** France Travail events in: signed, stored once, processed by a job. */
@Module({
  imports: [BeneficiariesModule, ConstructionPathwayModule],
  controllers: [WebhooksInboundController],
  providers: [WebhookInboxService, InboxWriter, FranceTravailProcessor],
  exports: [FranceTravailProcessor],
})
export class WebhooksInboundModule {}
