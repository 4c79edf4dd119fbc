import { Module } from '@nestjs/common';
import { OptOutRegistry } from './opt-out.registry.js';

/** The OptOutRegistry on the app's shared REDIS client (RedisModule.forRoot, global). */
@Module({
  providers: [OptOutRegistry],
  exports: [OptOutRegistry],
})
export class OptOutModule {}
