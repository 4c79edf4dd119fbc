import { credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import {
  localizationGrpcDefinition,
  type LocalizationRequestMessage,
  type LocalizationResponseMessage,
} from '../../libs/shared/src/localization/localization-proto.js';
import { startLocalizationServer, type LocalizationServer } from './localization-server.js';

type RawClient = Client & {
  GetLocalizedString(
    req: Partial<LocalizationRequestMessage>,
    opts: { deadline: number },
    cb: (err: ServiceError | null, res?: LocalizationResponseMessage) => void,
  ): void;
};

/**
 * A bare grpc-js client, so these tests see the server's answers exactly as they go on the wire.
 * Its own subchannel pool: grpc-js otherwise shares connections (and their reconnect backoff)
 * between clients of the same target.
 */
function rawClient(server: LocalizationServer): RawClient {
  const { Client } = localizationGrpcDefinition();
  return new Client(`127.0.0.1:${server.port}`, credentials.createInsecure(), {
    'grpc.use_local_subchannel_pool': 1,
  }) as unknown as RawClient;
}

const call = (client: RawClient, req: Partial<LocalizationRequestMessage>, timeoutMs = 2000) =>
  new Promise<LocalizationResponseMessage>((resolve, reject) =>
    client.GetLocalizedString(req, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolve(res!))),
  );

describe('LocalizationApi peer', () => {
  let server: LocalizationServer;
  let client: RawClient;

  beforeEach(async () => {
    server = await startLocalizationServer({
      catalog: { Greeting: { 'en-US': 'Hi {name}\\nBye {other}', 'es-ES': 'Hola {name}' } },
    });
    client = rawClient(server);
  });
  afterEach(async () => {
    client.close();
    await server.stop();
  });

  it('listens on an ephemeral 127.0.0.1 port and reports its URL', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('renders server-side: parameters replace placeholders, \\n becomes a line break, missing ones stay', async () => {
    const res = await call(client, { resourceKey: 'Greeting', locale: 'en-US', parameters: { name: 'Ana' } });
    expect(res).toEqual({ localizedString: 'Hi Ana\nBye {other}', success: true, errorMessage: '' });
  });

  it('falls back es-MX → es-ES, unknown languages and an empty locale → en-US', async () => {
    expect((await call(client, { resourceKey: 'Greeting', locale: 'es-MX', parameters: { name: 'Ana' } })).localizedString).toBe('Hola Ana');
    expect((await call(client, { resourceKey: 'Greeting', locale: 'fr-FR', parameters: { name: 'Ana' } })).localizedString).toMatch(/^Hi Ana/);
    expect((await call(client, { resourceKey: 'Greeting' })).localizedString).toMatch(/^Hi \{name\}/);
  });

  it('answers an unknown key with success=false and the key itself', async () => {
    const res = await call(client, { resourceKey: 'Missing', locale: 'en-US' });
    expect(res.success).toBe(false);
    expect(res.localizedString).toBe('Missing');
    expect(res.errorMessage).toContain('Missing');
  });

  it('serves the embedded catalog by default', async () => {
    const defaultServer = await startLocalizationServer();
    const defaultClient = rawClient(defaultServer);
    try {
      const res = await call(defaultClient, { resourceKey: 'AnnouncementSent', locale: 'es-ES', parameters: { count: '47' } });
      expect(res.localizedString).toBe('Enviado a 47 suscriptores');
    } finally {
      defaultClient.close();
      await defaultServer.stop();
    }
  });

  it('counts calls in every mode; fail mode answers UNAVAILABLE', async () => {
    await call(client, { resourceKey: 'Greeting', locale: 'en-US' });
    server.setMode('fail');
    await expect(call(client, { resourceKey: 'Greeting', locale: 'en-US' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    server.setMode('ok');
    await call(client, { resourceKey: 'Greeting', locale: 'en-US' });
    expect(server.calls).toBe(3);
  });

  it('slow mode delays answers by slowMs', async () => {
    server.setSlowMs(300);
    server.setMode('slow');
    const started = Date.now();
    await expect(call(client, { resourceKey: 'Greeting', locale: 'es-ES', parameters: { name: 'x' } })).resolves.toMatchObject({
      localizedString: 'Hola x',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await expect(call(client, { resourceKey: 'Greeting', locale: 'es-ES' }, 100)).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
  });

  it('stop() frees the port so a server can start again on it', async () => {
    const { port } = server;
    await server.stop();
    await expect(call(client, { resourceKey: 'Greeting' }, 1000)).rejects.toMatchObject({ code: status.UNAVAILABLE });
    server = await startLocalizationServer({ port });
    expect(server.port).toBe(port);
    const fresh = rawClient(server);
    try {
      await expect(call(fresh, { resourceKey: 'AnnouncementSent', locale: 'en-US', parameters: { count: '1' } })).resolves.toMatchObject({
        localizedString: 'Sent to 1 subscribers',
      });
    } finally {
      fresh.close();
    }
  });
});
