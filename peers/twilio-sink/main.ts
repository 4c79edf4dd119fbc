// Runs the recording Twilio sink: TWILIO_SINK_PORT (default 0 = any free port) on TWILIO_SINK_HOST
// (default 127.0.0.1), TWILIO_SINK_LATENCY_MS (default 0). Prints one JSON line with its URL, then
// serves until SIGINT/SIGTERM. Counters and failure rules: GET /_sink/stats, POST /_sink/rules, ...
import { startTwilioSink } from './twilio-sink.js';

const port = Number(process.env.TWILIO_SINK_PORT ?? 0);
const latencyMs = Number(process.env.TWILIO_SINK_LATENCY_MS ?? 0);
if (!Number.isInteger(port) || port < 0 || port > 65535 || !(latencyMs >= 0)) {
  process.stderr.write('TWILIO_SINK_PORT must be a TCP port number and TWILIO_SINK_LATENCY_MS a number of ms\n');
  process.exit(1);
}

const sink = await startTwilioSink({ port, host: process.env.TWILIO_SINK_HOST ?? '127.0.0.1', latencyMs });
process.stdout.write(`${JSON.stringify({ twilioSink: sink.url })}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sink.stop().then(() => process.exit(0));
  });
}
