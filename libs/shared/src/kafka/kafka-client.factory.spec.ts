import { kafkaLogFields } from './kafka-client.factory.js';

describe('kafkajs log lines', () => {
  it('keep the message and context but never the stack trace kafkajs attaches', () => {
    const fields = kafkaLogFields({
      timestamp: '2026-01-01T00:00:00.000Z',
      logger: 'kafkajs',
      message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      broker: '127.0.0.1:9092',
      stack: 'Error: connect ECONNREFUSED 127.0.0.1:9092\n    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)',
    } as Parameters<typeof kafkaLogFields>[0]);
    expect(fields).toEqual({
      msg: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092',
      timestamp: '2026-01-01T00:00:00.000Z',
      logger: 'kafkajs',
      broker: '127.0.0.1:9092',
    });
    expect(JSON.stringify(fields)).not.toContain('    at ');
  });
});
