import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ConfigModule, ConfigService, registerAs } from '@nestjs/config';

/** A `registerAs` namespace naming one section of an app's config: `@Inject(ns.KEY) config: ConfigType<typeof ns>`. */
export type ConfigNamespace<T = unknown> = (() => T) & { readonly KEY: string; readonly section: string };

/**
 * Declares a config section. Its value is not read from the environment here: each app validates
 * its whole environment in one zod parse (one line per problem) and `AppConfigModule` provides the
 * sections of that result, so the factory only reports a section an app forgot to load.
 */
export function configNamespace<T>(section: string): ConfigNamespace<T> {
  const unloaded = (): never => {
    throw new Error(`config section "${section}" is provided by AppConfigModule.forRoot, not loaded on its own`);
  };
  // registerAs types its value as an object; sections may be a string (the notifier kind) or undefined.
  const namespace = registerAs(section, unloaded) as unknown as (() => T) & { readonly KEY: string };
  return Object.assign(namespace, { section });
}

/** What AppConfigModule needs of a namespace, whatever its section's type. */
type SectionKey = Pick<ConfigNamespace, 'KEY' | 'section'>;

/** Sections may be undefined (the notifier's `twilio` when NOTIFIER=local), so `get`, not `getOrThrow`. */
const sectionProvider = (namespace: SectionKey): Provider => ({
  provide: namespace.KEY,
  inject: [ConfigService],
  useFactory: (config: ConfigService) => config.get(namespace.section),
});

/** ConfigModule (global) whose one `load` is the app's validated config, plus a provider per namespace. */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(load: () => object, namespaces: readonly SectionKey[], options: { ignoreEnvFile?: boolean } = {}): DynamicModule {
    return {
      module: AppConfigModule,
      imports: [ConfigModule.forRoot({ isGlobal: true, load: [load], ...options })],
      providers: namespaces.map(sectionProvider),
      exports: namespaces.map((namespace) => namespace.KEY),
    };
  }
}
