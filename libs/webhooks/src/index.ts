export * from './entities';
export * from './webhook.entity';
export * from './dto/webhook.dto';
export * from './webhook-signature';
export * from './webhooks.service';
export * from './webhooks.module';
