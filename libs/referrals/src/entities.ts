import { ReferralEntity, ReferralEventEntity } from './referral.entity';

export const REFERRALS_ENTITIES = [ReferralEntity, ReferralEventEntity];
