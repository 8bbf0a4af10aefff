import { registerSensitive, sensitiveFindings } from './log-hygiene';

describe('log hygiene scanner', () => {
  it('flags registered values and CURP-shaped strings, and nothing else', () => {
    registerSensitive('Tonantzin');
    expect(sensitiveFindings(['{"msg":"request completed","path":"/v1/victims/V-1"}'])).toEqual([]);
    expect(sensitiveFindings(['{"msg":"hello Tonantzin"}'])).toHaveLength(1);
    expect(sensitiveFindings(['{"err":"bad HEGG560427MVZRRL05 value"}'])).toEqual(['log line 1 contains a CURP-shaped value']);
  });
});
