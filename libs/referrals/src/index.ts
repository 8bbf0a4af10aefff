export * from './entities';
export * from './referral.entity';
export * from './referral-rules';
export * from './dto/referral.dto';
export * from './referrals.service';
export * from './referrals.module';
export * from './referral-events.service';
