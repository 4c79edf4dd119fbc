import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { KafkaHealthIndicator } from '../kafka/kafka.health.js';
import { RedisHealthIndicator } from '../redis/redis.module.js';

/** `GET /health`: the process is alive. `GET /health/ready`: Kafka and Redis are reachable. */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly kafka: KafkaHealthIndicator,
    private readonly redis: RedisHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.kafka.isHealthy(), () => this.redis.isHealthy()]);
  }
}
