import { WebhookDeliveryEntity, WebhookEndpointEntity } from './webhook.entity';

export const WEBHOOKS_ENTITIES = [WebhookEndpointEntity, WebhookDeliveryEntity];
