import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, IsUrl, Length } from 'class-validator';

export const WEBHOOK_EVENTS = ['referral.received', 'referral.status_changed', 'referral.overdue', 'record.changed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Registers an endpoint. */
export class CreateWebhookDto {
  /** Where events are POSTed. HTTPS in production. @example "https://fiscalia.example.gob.mx/puente/webhooks" */
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true, require_tld: false })
  @Length(8, 2000)
  url!: string;

  /** Event types to receive (see docs/referrals.md#webhooks). @example ["referral.received", "referral.status_changed", "referral.overdue"] */
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, enumName: 'WebhookEvent' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @IsIn(WEBHOOK_EVENTS, { each: true })
  events!: WebhookEvent[];

  /** @example "Mesa de atención a víctimas" */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  description?: string;
}

/** A registered endpoint (the secret is never shown again after creation). */
export class WebhookDto {
  id!: string;
  url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENTS, isArray: true, enumName: 'WebhookEvent' })
  events!: WebhookEvent[];
  description!: string | null;
  /** ISO-8601, UTC */
  createdAt!: string;
}

/** The endpoint just created, with its signing secret: shown once, store it now. */
export class CreatedWebhookDto extends WebhookDto {
  /** Standard Webhooks secret (`whsec_` + base64 key). @example "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" */
  secret!: string;
}

export class WebhookPageDto {
  items!: WebhookDto[];
  nextCursor!: string | null;
}

/** One event for one endpoint, and how its delivery went. */
export class WebhookDeliveryDto {
  /** Also the `webhook-id` header. */
  id!: string;
  /** @example "referral.received" */
  eventType!: string;
  @ApiProperty({ enum: DELIVERY_STATUSES, enumName: 'WebhookDeliveryStatus' })
  status!: DeliveryStatus;
  attempts!: number;
  /** ISO-8601, UTC */
  nextAttemptAt!: string | null;
  lastAttemptAt!: string | null;
  lastStatusCode!: number | null;
  /** @example "connect ECONNREFUSED" */
  lastError!: string | null;
  deliveredAt!: string | null;
  createdAt!: string;
  /** The JSON body that is signed and sent. */
  @ApiProperty({ type: 'object', additionalProperties: true })
  payload!: Record<string, unknown>;
}

export class WebhookDeliveryPageDto {
  items!: WebhookDeliveryDto[];
  nextCursor!: string | null;
}
