import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { LEGAL_HOLD_REASONS } from './retention.service';

export const HOLDABLE_KINDS = ['victims', 'cases', 'reports', 'accused', 'judicial-outcomes', 'operations', 'shelters', 'shelter-stays', 'agreements', 'assistance'] as const;

export class LegalHoldDto {
  @ApiProperty({ enum: LEGAL_HOLD_REASONS, enumName: 'LegalHoldReason' })
  @IsIn(LEGAL_HOLD_REASONS, { context: { allowed: LEGAL_HOLD_REASONS } })
  reason!: (typeof LEGAL_HOLD_REASONS)[number];
}

export class LegalHoldStateDto {
  kind!: string;
  localId!: string;
  /** The hold's reason code; null when no hold is in force. */
  @ApiProperty({ type: String, nullable: true })
  legalHold!: string | null;
}
