// How the TypeScript sources run without a build, shared by Jest (jest.config.js) and the benches'
// module hooks (scripts/lib/ts-hooks.mjs): SWC with legacy decorators and decorator metadata (Nest's
// dependency injection needs them), and the libraries' import aliases (the paths of tsconfig.json).

export const SWC_OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
    keepClassNames: true,
  },
  module: { type: 'es6' },
  sourceMaps: 'inline',
};

/** Import alias → the library's source folder, relative to the repository. */
export const LIBRARY_ALIASES = {
  '@app/shared': 'libs/shared/src',
  '@app/stripe-sync': 'libs/stripe-sync/src',
};
