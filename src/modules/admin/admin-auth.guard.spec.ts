import { adminAccess, isLoopback } from './admin-auth.guard';

describe('admin access decision', () => {
  it('without ADMIN_API_KEY: loopback clients only', () => {
    for (const a of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) expect(adminAccess(undefined, null, a)).toBe('allow');
    for (const a of ['10.0.0.5', '192.168.1.2', '::ffff:10.1.2.3', 'fe80::1', '', undefined]) expect(adminAccess(undefined, null, a)).toBe('forbidden');
    // A token does not open the door when no key is configured.
    expect(adminAccess(undefined, 'anything', '10.0.0.5')).toBe('forbidden');
  });

  it('with ADMIN_API_KEY: the Bearer token decides, from anywhere', () => {
    expect(adminAccess('s3cret', 's3cret', '10.0.0.5')).toBe('allow');
    expect(adminAccess('s3cret', 's3cret', '127.0.0.1')).toBe('allow');
    expect(adminAccess('s3cret', null, '127.0.0.1')).toBe('unauthenticated');
    expect(adminAccess('s3cret', 's3cre', '10.0.0.5')).toBe('unauthenticated');
    expect(adminAccess('s3cret', 's3cret!', '10.0.0.5')).toBe('unauthenticated');
  });

  it('recognises loopback addresses only', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('1127.0.0.1')).toBe(false);
  });
});
