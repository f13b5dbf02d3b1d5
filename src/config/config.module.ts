import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './config.schema.js';

/** Injection token for the parsed configuration (`@Inject(APP_CONFIG) config: AppConfig`). */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the configuration parsed in main.ts injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
