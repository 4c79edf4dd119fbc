import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema, extendSchema, Kind, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { projectExtensionsSdl, publishedSubsetSdl, testGatewaySdl } from '../../../../peers/gateway/schema.js';
import * as operations from './operations.js';
import { schemaDriftProblems } from './schema-drift.js';
import { gatewaySchemaExtensions } from './schema-extensions.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const publishedSchemaPath = process.env['NUDGES_GATEWAY_SCHEMA'] ?? resolve(repoRoot, '../shared/nudges/gateway.schema.graphql');
const publishedAvailable = existsSync(publishedSchemaPath);

const documents = Object.entries(operations).filter((entry): entry is [string, DocumentNode] => {
  const value: unknown = entry[1];
  return typeof value === 'object' && value !== null && (value as DocumentNode).kind === Kind.DOCUMENT;
});

function errorsAgainst(schema: GraphQLSchema): Record<string, string[]> {
  return Object.fromEntries(documents.map(([name, doc]) => [name, validate(schema, doc).map((e) => e.message)]));
}

const noErrors = () => Object.fromEntries(documents.map(([name]) => [name, []]));

describe('gateway operations contract', () => {
  it('has one named operation per exported document', () => {
    expect(documents.length).toBeGreaterThanOrEqual(16);
    for (const [, doc] of documents) {
      const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
      expect(ops).toHaveLength(1);
      expect(ops[0]).toHaveProperty('name.value');
    }
  });

  it('validates every operation against the test gateway schema (published subset + the extensions it serves)', () => {
    expect(errorsAgainst(buildSchema(testGatewaySdl))).toEqual(noErrors());
  });

  it("the test gateway serves every extension the apps declare, with the same types (its own declaration, not the apps')", () => {
    const appsView = buildSchema(`${publishedSubsetSdl}\n${gatewaySchemaExtensions}`);
    expect(schemaDriftProblems(appsView, buildSchema(testGatewaySdl))).toEqual([]);
    expect(projectExtensionsSdl).not.toBe(gatewaySchemaExtensions);
  });

  it('uses only extensions that are declared in schema-extensions.ts', () => {
    const subsetOnly = errorsAgainst(buildSchema(publishedSubsetSdl));
    const needingExtensions = Object.entries(subsetOnly)
      .filter(([, errors]) => errors.length > 0)
      .map(([name]) => name);
    expect(needingExtensions.sort()).toEqual(['CLIENT_SUBSCRIBERS_PAGE', 'UNSUBSCRIBE_SUBSCRIBER_FROM_CLIENT']);
  });

  if (process.env['CI']) {
    it('finds the published schema in CI', () => {
      expect(publishedAvailable).toBe(true);
    });
  }

  it('validates every operation against the published schema plus the extensions (when the published schema is present)', () => {
    if (!publishedAvailable) {
      // Without ../shared (a plain clone), the project SDL is the contract; asserted above.
      expect(process.env['CI']).toBeFalsy();
      return;
    }
    const published = buildSchema(readFileSync(publishedSchemaPath, 'utf8'));
    const extended = extendSchema(published, parse(gatewaySchemaExtensions));
    expect(errorsAgainst(extended)).toEqual(noErrors());
  });

  it('keeps the test gateway schema identical to the published one where they overlap (drift check)', () => {
    if (!publishedAvailable) {
      expect(process.env['CI']).toBeFalsy();
      return;
    }
    const published = buildSchema(readFileSync(publishedSchemaPath, 'utf8'));
    expect(schemaDriftProblems(buildSchema(publishedSubsetSdl), published)).toEqual([]);
  });

  it('the drift check catches a changed nullability, a renamed argument and an unknown field', () => {
    const upstream = buildSchema('type Query { a(x: String!): Int! b: String }');
    const drifted = buildSchema('type Query { a(y: String!): Int b: String c: Int }');
    expect(schemaDriftProblems(drifted, upstream)).toEqual([
      'Query.a: Int here, Int! upstream',
      'Query.a(y): argument not upstream',
      'Query.a(x): required upstream but missing here',
      'Query.c: field not upstream',
    ]);
  });
});
