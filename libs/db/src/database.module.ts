import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source';
import { DbContext } from './db-context';

/** Registers the one TypeORM DataSource for the process, built from `dataSourceOptions`. */
@Module({})
export class DatabaseModule {
  static forRoot(url: string, poolSize?: number): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      imports: [TypeOrmModule.forRoot({ ...dataSourceOptions(url, { poolSize }) })],
      providers: [DbContext],
      exports: [TypeOrmModule, DbContext],
    };
  }
}
