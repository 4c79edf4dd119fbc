import { credentials, status, type Client, type ServiceError } from '@grpc/grpc-js';
import {
  localizationGrpcDefinition,
  type LocalizationRequestMessage,
  type LocalizationResponseMessage,
} from '../../libs/shared/src/localization/localization-proto.js';
import { startLocalizationServer, type LocalizationServer } from './localization-server.js';
import { DEFAULT_RESOURCES } from './resources.js';

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
      resources: {
        '': { Greeting: 'Hi {name}\\nBye {name}, from {other}', Plain: 'No placeholders', Loop: '{a}-{b}' },
        es: { Greeting: 'Hola {name} y {other}' },
        'es-MX': { Plain: 'Sin marcadores (MX)' },
      },
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

  it('renders server-side: every occurrence of each placeholder, \\n as a line break', async () => {
    const res = await call(client, {
      resourceKey: 'Greeting',
      locale: 'en-US',
      parameters: { name: 'Ana', other: 'Bo', extra: 'ignored' },
    });
    expect(res).toEqual({ localizedString: 'Hi Ana\nBye Ana, from Bo', success: true, errorMessage: '' });
  });

  it('substitutes in order on the text so far, like the C# Aggregate/Replace', async () => {
    // {a} is replaced first; its value contains {b}, which the later {b} replacement then hits.
    const res = await call(client, { resourceKey: 'Loop', locale: 'en-US', parameters: { a: '[{b}]', b: 'B' } });
    expect(res.localizedString).toBe('[B]-B');
  });

  it('fails the call with UNKNOWN when a placeholder has no parameter, as ASP.NET Core gRPC reports an unhandled exception', async () => {
    await expect(call(client, { resourceKey: 'Greeting', locale: 'en-US', parameters: { name: 'Ana' } })).rejects.toMatchObject({
      code: status.UNKNOWN,
      details: "Exception was thrown by handler. KeyNotFoundException: The given key 'other' was not present in the dictionary.",
    });
  });

  it.each(['not a culture', 'e', 'en US', 'es-ES!', 'x'.repeat(86)])(
    'fails the call with UNKNOWN for the invalid culture name %j',
    async (locale) => {
      await expect(call(client, { resourceKey: 'Plain', locale })).rejects.toMatchObject({
        code: status.UNKNOWN,
        details: `Exception was thrown by handler. CultureNotFoundException: Culture is not supported. (Parameter 'name')\n${locale} is an invalid culture identifier.`,
      });
    },
  );

  it('checks the culture before the key: an invalid culture fails even for an unknown key', async () => {
    await expect(call(client, { resourceKey: 'Missing', locale: '??' })).rejects.toMatchObject({ code: status.UNKNOWN });
  });

  it('falls back like .NET resources: specific → language → neutral, case-insensitively', async () => {
    const say = async (resourceKey: string, locale: string) =>
      (await call(client, { resourceKey, locale, parameters: { name: 'Ana', other: 'Bo' } })).localizedString;
    expect(await say('Greeting', 'es-ES')).toBe('Hola Ana y Bo');
    expect(await say('Greeting', 'es-MX')).toBe('Hola Ana y Bo');
    expect(await say('Greeting', 'ES')).toBe('Hola Ana y Bo');
    expect(await say('Plain', 'es-mx')).toBe('Sin marcadores (MX)');
    expect(await say('Plain', 'es-ES')).toBe('No placeholders'); // not in es: neutral
    expect(await say('Greeting', 'fr-FR')).toBe('Hi Ana\nBye Ana, from Bo');
    expect(await say('Greeting', 'xx-YY')).toBe('Hi Ana\nBye Ana, from Bo'); // well formed, unknown: accepted
  });

  it('treats an empty locale as the default culture (en-US unless configured)', async () => {
    expect((await call(client, { resourceKey: 'Plain' })).localizedString).toBe('No placeholders');
    const mx = await startLocalizationServer({ resources: { '': { Plain: 'neutral' }, es: { Plain: 'es' } }, defaultCulture: 'es-MX' });
    const mxClient = rawClient(mx);
    try {
      expect((await call(mxClient, { resourceKey: 'Plain', locale: '' })).localizedString).toBe('es');
    } finally {
      mxClient.close();
      await mx.stop();
    }
  });

  it('setResource changes, adds and removes one stored text', async () => {
    server.setResource('', 'Plain', 'Now with {x}');
    await expect(call(client, { resourceKey: 'Plain', locale: 'en-US' })).rejects.toMatchObject({ code: status.UNKNOWN });
    server.setResource('es', 'Plain', 'Ahora');
    expect((await call(client, { resourceKey: 'Plain', locale: 'es-ES' })).localizedString).toBe('Ahora');
    server.setResource('', 'Plain', undefined);
    expect((await call(client, { resourceKey: 'Plain', locale: 'en-US' })).success).toBe(false);
  });

  it('answers an unknown key with success=false, the key itself and an error message', async () => {
    const res = await call(client, { resourceKey: 'Missing', locale: 'en-US' });
    expect(res).toEqual({ localizedString: 'Missing', success: false, errorMessage: "Resource key 'Missing' not found." });
    // Keys are case-sensitive.
    expect((await call(client, { resourceKey: 'plain', locale: 'en-US' })).success).toBe(false);
  });

  describe('default resources (the real LocalizationApi key list)', () => {
    let defaultServer: LocalizationServer;
    let defaultClient: RawClient;
    beforeAll(async () => {
      defaultServer = await startLocalizationServer();
      defaultClient = rawClient(defaultServer);
    });
    afterAll(async () => {
      defaultClient.close();
      await defaultServer.stop();
    });

    /** Keys and placeholder names of the real resx files (getnudges/monov4, LocalizationService.resx). */
    const REAL_KEYS: Record<string, string[]> = {
      AnnouncementCancelled: [],
      AnnouncementConfirm: ['smsBody'],
      AnnouncementSent: ['count'],
      AnnouncementTemplate: ['clientName', 'smsBody', 'link'],
      ClientHelpMessage: ['accountUrl', 'subUrl', 'shareUrl'],
      NoMessagesRemaining: [],
      NoPendingAnnouncement: [],
      NotCustomer: [],
      NotInStopMode: [],
      NotSubscriber: [],
      SubscriberHelpMessage: [],
      SubscriptionNotActive: [],
      SupportMessage: [],
      UnsubscribeAllSuccess: [],
      UnsubscribeInvalidSelection: [],
      UnsubscribeListEntry: ['index', 'clientName'],
      UnsubscribeListTemplate: ['list'],
      UnsubscribeSuccess: ['clientName'],
      ClientOtpVerified: ['url'],
      SendOtp: ['otp'],
      PriceTierUpdate: ['priceTierId'],
      Anything: ['body'],
      NewSubscriberWelcome: ['name'],
      ClientNewSubscriber: ['count'],
      UserLoggedIn: [],
    };

    it('has exactly the real keys, each in both cultures', () => {
      expect(Object.keys(DEFAULT_RESOURCES).sort()).toEqual(['', 'es']);
      expect(Object.keys(DEFAULT_RESOURCES['']!).sort()).toEqual(Object.keys(REAL_KEYS).sort());
      expect(Object.keys(DEFAULT_RESOURCES.es!).sort()).toEqual(Object.keys(REAL_KEYS).sort());
    });

    it.each(Object.entries(REAL_KEYS))(
      '%s renders with exactly its real placeholders, and fails without each of them',
      async (key, names) => {
        const parameters = Object.fromEntries(names.map((n) => [n, `<${n}>`]));
        for (const locale of ['en-US', 'es-ES']) {
          const res = await call(defaultClient, { resourceKey: key, locale, parameters });
          expect(res.success).toBe(true);
          for (const n of names) expect(res.localizedString).toContain(`<${n}>`);
          expect(res.localizedString).not.toMatch(/\{\w+\}/);
          for (const n of names) {
            const { [n]: _dropped, ...rest } = parameters;
            await expect(call(defaultClient, { resourceKey: key, locale, parameters: rest })).rejects.toMatchObject({
              code: status.UNKNOWN,
            });
          }
        }
      },
    );

    it('renders the texts the Nudges documentation fixes, and lacks the keys only this project has', async () => {
      const sent = (locale: string) => call(defaultClient, { resourceKey: 'AnnouncementSent', locale, parameters: { count: '47' } });
      expect((await sent('es-ES')).localizedString).toBe('Enviado a 47 suscriptores');
      expect((await sent('es-MX')).localizedString).toBe('Enviado a 47 suscriptores');
      expect((await sent('fr-FR')).localizedString).toBe('Sent to 47 subscribers');
      expect((await sent('')).localizedString).toBe('Sent to 47 subscribers');
      const help = await call(defaultClient, {
        resourceKey: 'ClientHelpMessage',
        locale: 'en-US',
        parameters: { accountUrl: 'a', subUrl: 's', shareUrl: 'x' },
      });
      expect(help.localizedString.startsWith('Reply COMMANDS for help\n')).toBe(true);
      for (const key of ['WelcomeMessage', 'MessageException', 'MessageTooLong']) {
        expect(await call(defaultClient, { resourceKey: key, locale: 'en-US' })).toMatchObject({ success: false, localizedString: key });
      }
    });

    it("keeps the real es file's quirks: a backslash before each line break, and three English texts", async () => {
      const help = await call(defaultClient, {
        resourceKey: 'ClientHelpMessage',
        locale: 'es-ES',
        parameters: { accountUrl: 'a', subUrl: 's', shareUrl: 'x' },
      });
      expect(help.localizedString.startsWith('Responde COMMANDS para ayuda\\\n\\\n')).toBe(true);
      const en = await call(defaultClient, { resourceKey: 'UserLoggedIn', locale: 'en-US' });
      const es = await call(defaultClient, { resourceKey: 'UserLoggedIn', locale: 'es-ES' });
      expect(es.localizedString).toBe(en.localizedString);
    });
  });

  it('counts calls in every mode; fail mode answers UNAVAILABLE', async () => {
    await call(client, { resourceKey: 'Plain', locale: 'en-US' });
    server.setMode('fail');
    await expect(call(client, { resourceKey: 'Plain', locale: 'en-US' })).rejects.toMatchObject({ code: status.UNAVAILABLE });
    server.setMode('ok');
    await call(client, { resourceKey: 'Plain', locale: 'en-US' });
    expect(server.calls).toBe(3);
  });

  it('slow mode delays answers by slowMs', async () => {
    server.setSlowMs(300);
    server.setMode('slow');
    const started = Date.now();
    await expect(call(client, { resourceKey: 'Greeting', locale: 'es-ES', parameters: { name: 'x', other: 'y' } })).resolves.toMatchObject({
      localizedString: 'Hola x y y',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    await expect(call(client, { resourceKey: 'Plain', locale: 'es-ES' }, 100)).rejects.toMatchObject({
      code: status.DEADLINE_EXCEEDED,
    });
  });

  it('stop() frees the port so a server can start again on it', async () => {
    const { port } = server;
    await server.stop();
    await expect(call(client, { resourceKey: 'Plain' }, 1000)).rejects.toMatchObject({ code: status.UNAVAILABLE });
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
