export * from './measures';
export * from './suppression';
export * from './dto/statistics.dto';
export * from './statistics.service';
export * from './statistics.controller';
export * from './dashboard.controller';
export * from './statistics.module';
