import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { redactUrl } from './provide.js';
import { redisOptionsFromUrl, unixSocketUrl } from './url.js';

describe('redisOptionsFromUrl', () => {
  it('reads unix socket URLs', () => {
    expect(redisOptionsFromUrl('unix:///srv/siyu/data/redis/redis.sock')).toEqual({ path: '/srv/siyu/data/redis/redis.sock' });
    expect(redisOptionsFromUrl('unix:///tmp/r.sock?db=2&password=pw')).toEqual({ path: '/tmp/r.sock', db: 2, password: 'pw' });
    expect(redisOptionsFromUrl(unixSocketUrl('/tmp/with space/r.sock'))).toEqual({ path: '/tmp/with space/r.sock' });
  });

  it('reads redis:// and rediss:// URLs', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380 });
    expect(redisOptionsFromUrl('redis://localhost')).toEqual({ host: 'localhost', port: 6379 });
    expect(redisOptionsFromUrl('redis://user:p%40ss@cache.internal:6379/3')).toEqual({
      host: 'cache.internal',
      port: 6379,
      username: 'user',
      password: 'p@ss',
      db: 3,
    });
    expect(redisOptionsFromUrl('redis://:secret@[::1]:7000')).toEqual({ host: '::1', port: 7000, password: 'secret' });
    expect(redisOptionsFromUrl('rediss://h:6379')).toEqual({ host: 'h', port: 6379, tls: {} });
  });

  it('refuses other forms with a ConfigError', () => {
    for (const bad of ['http://x:1', 'not a url', 'redis://h:1/abc', 'unix://relative.sock']) {
      expect(() => redisOptionsFromUrl(bad), bad).toThrow(ConfigError);
    }
  });

  it('redacts passwords for logs', () => {
    expect(redactUrl('redis://user:secret@h:6379/0')).toBe('redis://user:***@h:6379/0');
    expect(redactUrl('redis://:secret@h:6379')).toBe('redis://:***@h:6379');
    expect(redactUrl('unix:///tmp/r.sock?password=secret&db=1')).toBe('unix:///tmp/r.sock?password=***&db=1');
    expect(redactUrl('redis://h:6379')).toBe('redis://h:6379');
  });
});
