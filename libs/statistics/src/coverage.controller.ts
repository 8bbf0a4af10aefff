import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Scopes } from '@app/auth';
import { CoverageQueryDto, CoverageResultDto } from './dto/coverage.dto';
import { CoverageService } from './coverage.service';

/** Submission coverage (R35). */
@ApiTags('statistics')
@Controller('statistics')
export class CoverageController {
  constructor(private readonly coverage: CoverageService) {}

  /**
   * Which agencies submitted records for a period (a year, quarter or month), and how many of the 32 states
   * have at least one reporting agency, e.g. "15 of 32 states reported" (R35). A record counts for the period
   * of the date it refers to (identification, opening, reception or decision date). Withdrawn records do not
   * count. Answers directory data and yes/no per agency, never records or record counts.
   */
  @Get('coverage')
  @Scopes('statistics:read')
  @ApiOkResponse({ type: CoverageResultDto })
  get(@Query() query: CoverageQueryDto): Promise<CoverageResultDto> {
    return this.coverage.coverage(query);
  }
}
