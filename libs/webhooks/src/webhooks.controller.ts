import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes } from '@app/auth';
import { PageQueryDto } from '@app/http';
import { CreateWebhookDto, CreatedWebhookDto, WebhookDeliveryDto, WebhookDeliveryPageDto, WebhookPageDto } from './dto/webhook.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * Registers an endpoint for the agency's events. The answer carries the signing secret, shown only
   * this once. Deliveries follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
   */
  @Post()
  @Scopes('webhooks:write')
  createWebhook(@CurrentActor() actor: Actor, @Body() body: CreateWebhookDto): Promise<CreatedWebhookDto> {
    return this.webhooks.create(actor, body);
  }

  /** Lists the agency's endpoints (without secrets). */
  @Get()
  @Scopes('webhooks:write')
  listWebhooks(@CurrentActor() actor: Actor, @Query() q: PageQueryDto): Promise<WebhookPageDto> {
    return this.webhooks.list(actor, q);
  }

  /** Deletes an endpoint; its pending deliveries are marked failed. */
  @Delete(':webhookId')
  @HttpCode(204)
  @Scopes('webhooks:write')
  @ApiNoContentResponse({ description: 'Deleted' })
  deleteWebhook(@CurrentActor() actor: Actor, @Param('webhookId') webhookId: string): Promise<void> {
    return this.webhooks.remove(actor, webhookId);
  }

  /** The delivery log of an endpoint, oldest first: status, attempts, last error, next attempt. */
  @Get(':webhookId/deliveries')
  @Scopes('webhooks:write')
  listWebhookDeliveries(@CurrentActor() actor: Actor, @Param('webhookId') webhookId: string, @Query() q: PageQueryDto): Promise<WebhookDeliveryPageDto> {
    return this.webhooks.deliveries(actor, webhookId, q);
  }

  /** Queues a delivery again (same `webhook-id`, so receivers can de-duplicate). */
  @Post(':webhookId/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @Scopes('webhooks:write')
  replayWebhookDelivery(@CurrentActor() actor: Actor, @Param('webhookId') webhookId: string, @Param('deliveryId') deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.webhooks.replay(actor, webhookId, deliveryId);
  }
}
