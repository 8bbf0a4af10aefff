import { Module } from '@nestjs/common';
import { CatalogsController } from './catalogs.controller';
import { CatalogsService } from './catalogs.service';
import { CrosswalkService } from './crosswalk.service';
import { CrosswalksController } from './crosswalks.controller';

/** Standard code lists served from the database, and per-agency crosswalks. */
@Module({
  controllers: [CatalogsController, CrosswalksController],
  providers: [CatalogsService, CrosswalkService],
  exports: [CatalogsService, CrosswalkService],
})
export class CatalogsModule {}
