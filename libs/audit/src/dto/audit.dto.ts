import { ApiProperty } from '@nestjs/swagger';
import { IsDateString, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '@app/http';

export class AuditQueryDto extends PageQueryDto {
  /** e.g. `victims.write`, `victims.read-pii`, `auth.failure`. */
  @IsOptional()
  @IsString()
  @MaxLength(80)
  action?: string;
  @IsOptional()
  @IsString()
  @MaxLength(40)
  resourceType?: string;
  /** Local id of a resource. */
  @IsOptional()
  @IsString()
  @MaxLength(128)
  resourceId?: string;
  /** ISO date-time, inclusive. */
  @IsOptional()
  @IsDateString()
  from?: string;
  /** ISO date-time, exclusive. */
  @IsOptional()
  @IsDateString()
  to?: string;
}

export class AuditEntryDto {
  seq!: string;
  at!: string;
  @ApiProperty({ type: String, nullable: true })
  agencyId!: string | null;
  @ApiProperty({ type: String, nullable: true })
  actor!: string | null;
  action!: string;
  @ApiProperty({ type: String, nullable: true })
  resourceType!: string | null;
  @ApiProperty({ type: String, nullable: true })
  resourceAgencyId!: string | null;
  resourceIds!: string[];
  /** Names of the fields read or written; never values. */
  fields!: string[];
  @ApiProperty({ type: String, nullable: true })
  purpose!: string | null;
  @ApiProperty({ type: String, nullable: true })
  requestId!: string | null;
  outcome!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;
  /** Position in the hash chain; null until sealed (within a minute). */
  @ApiProperty({ type: String, nullable: true })
  chainNo!: string | null;
  /** sha256(previous hash ‖ this entry); null until sealed. */
  @ApiProperty({ type: String, nullable: true })
  hash!: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: () => [AuditEntryDto] })
  items!: AuditEntryDto[];
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}
