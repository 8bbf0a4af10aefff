import { Body, Controller, Delete, HttpCode, Param, ParseEnumPipe, Put } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { type Actor, CurrentActor, Scopes, hasScope, type Scope } from '@app/auth';
import { ProblemException } from '@app/http';
import { HOLDABLE_KINDS, LegalHoldDto, LegalHoldStateDto } from './legal-hold.dto';
import { RetentionService } from './retention.service';

const WRITE_SCOPE: Record<(typeof HOLDABLE_KINDS)[number], Scope> = {
  victims: 'victims:write',
  cases: 'cases:write',
  reports: 'reports:write',
  accused: 'cases:write',
  'judicial-outcomes': 'cases:write',
  operations: 'cases:write',
  shelters: 'victims:write',
  'shelter-stays': 'victims:write',
  agreements: 'referrals:write',
  assistance: 'victims:write',
};

/** Legal holds keep a record's personal data past its retention period (audited). */
@ApiTags('retention')
@Controller('legal-holds')
export class LegalHoldController {
  constructor(private readonly retention: RetentionService) {}

  private check(actor: Actor, kind: (typeof HOLDABLE_KINDS)[number]): void {
    if (!hasScope(actor, WRITE_SCOPE[kind])) {
      throw new ProblemException(403, 'missing-scope', { detail: `The token lacks scope(s): ${WRITE_SCOPE[kind]}`, required: [WRITE_SCOPE[kind]] });
    }
  }

  /** Places a legal hold on one of the agency's records (needs the kind's write scope). */
  @Put(':kind/:localId')
  @Scopes()
  @ApiParam({ name: 'kind', enum: HOLDABLE_KINDS })
  async placeLegalHold(
    @CurrentActor() actor: Actor,
    @Param('kind', new ParseEnumPipe(HOLDABLE_KINDS)) kind: (typeof HOLDABLE_KINDS)[number],
    @Param('localId') localId: string,
    @Body() body: LegalHoldDto,
  ): Promise<LegalHoldStateDto> {
    this.check(actor, kind);
    return this.retention.setHold(actor, kind, localId, body.reason);
  }

  /** Lifts the legal hold; the record's personal data is then purged when its retention period has passed. */
  @Delete(':kind/:localId')
  @HttpCode(200)
  @Scopes()
  @ApiParam({ name: 'kind', enum: HOLDABLE_KINDS })
  async releaseLegalHold(
    @CurrentActor() actor: Actor,
    @Param('kind', new ParseEnumPipe(HOLDABLE_KINDS)) kind: (typeof HOLDABLE_KINDS)[number],
    @Param('localId') localId: string,
  ): Promise<LegalHoldStateDto> {
    this.check(actor, kind);
    return this.retention.setHold(actor, kind, localId, null);
  }
}
