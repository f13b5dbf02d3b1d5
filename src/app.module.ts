import { Module, type DynamicModule } from '@nestjs/common';
import { AdminModule } from './admin/admin.module.js';
import { AdmissionModule } from './admission/admission.module.js';
import { ChaosModule } from './chaos/chaos.module.js';
import { ConfigModule } from './config/config.module.js';
import { CountersModule } from './counters/counters.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DebugModule } from './debug/debug.module.js';
import type { AppConfig } from './config/config.schema.js';
import { ErrorsModule } from './errors/errors.module.js';
import { FanoutModule } from './fanout/fanout.module.js';
import { HealthModule } from './health/health.module.js';
import { HelloModule } from './hello/hello.module.js';
import { HomeModule } from './home/home.module.js';
import { ItemsModule } from './items/items.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RequestContextModule } from './request-context/request-context.module.js';
import { StatusModule } from './status/status.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { VersionModule } from './version/version.module.js';

/** Root module: infrastructure first, then one module per feature. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        RequestContextModule,
        ErrorsModule,
        AdminModule,
        MetricsModule,
        TelemetryModule,
        DebugModule,
        StatusModule,
        HealthModule,
        AdmissionModule,
        DatabaseModule,
        RedisModule,
        LifecycleModule,
        HelloModule,
        HomeModule,
        FanoutModule,
        VersionModule,
        ChaosModule,
        ItemsModule,
        CountersModule,
        OpenApiModule,
      ],
    };
  }
}
