// Runs the LocalizationApi test peer: `LOCALIZATION_PORT` (default 50051) on `LOCALIZATION_HOST`
// (default 0.0.0.0, so docker compose neighbours can reach it).
import { startLocalizationServer } from './localization-server.js';

const port = Number(process.env.LOCALIZATION_PORT ?? 50051);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write('LOCALIZATION_PORT must be a TCP port number\n');
  process.exit(1);
}
const host = process.env.LOCALIZATION_HOST ?? '0.0.0.0';

const server = await startLocalizationServer({ port, host });
process.stdout.write(`localization peer listening on ${server.url} (gRPC localization.LocalizationGrpcService)\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
