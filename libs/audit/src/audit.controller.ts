import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentActor, Scopes, type Actor } from '@app/auth';
import { AuditService } from './audit.service';
import { AuditPageDto, AuditQueryDto } from './dto/audit.dto';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** Audit events, newest first: those the calling agency performed and those on its records; all events for an oversight agency. */
  @Get()
  @Scopes('audit:read')
  listAuditEvents(@CurrentActor() actor: Actor, @Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.list({ agencyId: actor.agencyId, oversight: actor.agencyKind === 'oversight' }, query);
  }
}
