// Compares a schema that claims to be a subset of another (the test gateway's SDL against the
// published gateway schema): every type, field, argument, input field, union member and enum value
// it declares must exist upstream with the identical type (names, list-ness and nullability), and
// it must not omit an argument or input field that upstream requires.
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isRequiredArgument,
  isRequiredInputField,
  isScalarType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

export function schemaDriftProblems(subset: GraphQLSchema, upstream: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const [name, type] of Object.entries(subset.getTypeMap())) {
    if (name.startsWith('__')) continue;
    const other = upstream.getType(name);
    if (!other) {
      problems.push(`${name}: type not in the published schema`);
    } else if (kindOf(type) !== kindOf(other)) {
      problems.push(`${name}: is ${kindOf(type)} here but ${kindOf(other)} upstream`);
    } else {
      problems.push(...compareTypes(type, other));
    }
  }
  return problems;
}

function kindOf(type: GraphQLNamedType): string {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isUnionType(type)) return 'union';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input';
  if (isScalarType(type)) return 'scalar';
  return 'unknown';
}

function compareTypes(mine: GraphQLNamedType, theirs: GraphQLNamedType): string[] {
  if ((isObjectType(mine) || isInterfaceType(mine)) && (isObjectType(theirs) || isInterfaceType(theirs))) {
    const missingInterfaces = mine
      .getInterfaces()
      .filter((i) => !theirs.getInterfaces().some((t) => t.name === i.name))
      .map((i) => `${mine.name}: implements ${i.name}, upstream does not`);
    return [
      ...missingInterfaces,
      ...Object.values(mine.getFields()).flatMap((f) => compareField(mine.name, f, theirs.getFields()[f.name])),
    ];
  }
  if (isInputObjectType(mine) && isInputObjectType(theirs)) {
    const upstreamFields = theirs.getFields();
    const mineFields = mine.getFields();
    return [
      ...Object.values(mineFields).flatMap((f) => {
        const t = upstreamFields[f.name];
        if (!t) return [`${mine.name}.${f.name}: input field not upstream`];
        return String(f.type) === String(t.type) ? [] : [`${mine.name}.${f.name}: ${String(f.type)} here, ${String(t.type)} upstream`];
      }),
      ...Object.values(upstreamFields)
        .filter((t) => isRequiredInputField(t) && !mineFields[t.name])
        .map((t) => `${mine.name}.${t.name}: required upstream but missing here`),
    ];
  }
  if (isUnionType(mine) && isUnionType(theirs)) {
    return mine
      .getTypes()
      .filter((m) => !theirs.getTypes().some((t) => t.name === m.name))
      .map((m) => `${mine.name}: member ${m.name} not upstream`);
  }
  if (isEnumType(mine) && isEnumType(theirs)) {
    return mine
      .getValues()
      .filter((v) => !theirs.getValue(v.name))
      .map((v) => `${mine.name}.${v.name}: enum value not upstream`);
  }
  return [];
}

function compareField(
  typeName: string,
  mine: GraphQLField<unknown, unknown>,
  theirs: GraphQLField<unknown, unknown> | undefined,
): string[] {
  const at = `${typeName}.${mine.name}`;
  if (!theirs) return [`${at}: field not upstream`];
  const problems: string[] = [];
  if (String(mine.type) !== String(theirs.type)) problems.push(`${at}: ${String(mine.type)} here, ${String(theirs.type)} upstream`);
  for (const arg of mine.args) {
    const other = theirs.args.find((a: GraphQLArgument) => a.name === arg.name);
    if (!other) problems.push(`${at}(${arg.name}): argument not upstream`);
    else if (String(arg.type) !== String(other.type))
      problems.push(`${at}(${arg.name}): ${String(arg.type)} here, ${String(other.type)} upstream`);
  }
  for (const other of theirs.args) {
    if (isRequiredArgument(other) && !mine.args.some((a) => a.name === other.name)) {
      problems.push(`${at}(${other.name}): required upstream but missing here`);
    }
  }
  return problems;
}
