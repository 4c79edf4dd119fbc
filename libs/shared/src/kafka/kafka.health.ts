import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type { Admin, Kafka } from 'kafkajs';
import { probeReadiness } from '../health/readiness-probe.js';
import { KAFKA_CLIENT } from './kafka.tokens.js';

/** Readiness: the broker answers a metadata request within the timeout. */
@Injectable()
export class KafkaHealthIndicator {
  private admin?: Admin;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly health: HealthIndicatorService,
  ) {}

  isHealthy(key = 'kafka', timeoutMs = 2000) {
    return probeReadiness(this.health, key, {
      check: () => this.describe(),
      timeoutMs,
      downMessage: 'Kafka broker unreachable',
      afterFailure: () => this.dropAdmin(),
    });
  }

  private async describe(): Promise<void> {
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    await this.admin.describeCluster();
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.dropAdmin();
  }
}
