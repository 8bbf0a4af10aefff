export * from './engine';
export * from './match.entity';
export * from './dto/matches.dto';
export * from './matching-engine.service';
export * from './matches.service';
export * from './matches.controller';
export * from './matching.module';
