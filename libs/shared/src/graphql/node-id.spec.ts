import { decodeNodeId, encodeNodeId, intKeyOf, uuidKeyOf } from './node-id.js';

describe('node ids', () => {
  const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';

  it('round-trips text keys', () => {
    expect(decodeNodeId(encodeNodeId('Plan', 42))).toEqual({ typeName: 'Plan', key: '42' });
    expect(decodeNodeId(encodeNodeId('Client', guid))).toEqual({ typeName: 'Client', key: guid });
  });

  it('reads GUID keys written compactly (32 hex) or as .NET Guid bytes', () => {
    expect(uuidKeyOf(encodeNodeId('Client', guid.replace(/-/g, '').toUpperCase()))).toBe(guid);
    const dotNetBytes = Buffer.from('e004253f894fd3119a0c0305e82c3301', 'hex');
    const id = Buffer.concat([Buffer.from('Client:'), dotNetBytes]).toString('base64');
    expect(uuidKeyOf(id)).toBe(guid);
  });

  it('passes GUIDs and numeric strings through and refuses anything else', () => {
    expect(uuidKeyOf(guid.toUpperCase())).toBe(guid);
    expect(intKeyOf('17')).toBe(17);
    expect(intKeyOf(encodeNodeId('Plan', 17))).toBe(17);
    expect(uuidKeyOf(encodeNodeId('Plan', 17))).toBeNull();
    expect(intKeyOf(encodeNodeId('Client', guid))).toBeNull();
    expect(decodeNodeId('not base64!')).toBeNull();
    expect(decodeNodeId(Buffer.from('no colon here').toString('base64'))).toBeNull();
    expect(intKeyOf('99999999999')).toBeNull();
  });
});
