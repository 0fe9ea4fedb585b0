import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configKeys, loadConfig, shownValue } from './config.js';
import { ConfigError } from './core/errors.js';

describe('config', () => {
  it('runs on defaults: Shanghai time, embedded world, data/ store', () => {
    const c = loadConfig({});
    expect(c.TIMEZONE).toBe('Asia/Shanghai');
    expect(c.production).toBe(false);
    expect(c.DB_FILE).toBe('data/siyu.db');
    expect(c.QUIET_HOURS).toEqual({ startMinute: 21 * 60 + 30, endMinute: 8 * 60 + 30 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('names the key, the value and what is allowed in one line', () => {
    expect(() => loadConfig({ SEND_RATE_PER_MINUTE: 'fast' })).toThrow(/^config SEND_RATE_PER_MINUTE="fast" is not valid: expected /);
    expect(() => loadConfig({ TIMEZONE: 'Mars/Olympus' })).toThrow('config TIMEZONE="Mars/Olympus" is not valid: expected an IANA timezone such as Asia/Shanghai');
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/expected one of fatal, error, warn/);
    expect(() => loadConfig({ QUIET_HOURS: '22-8' })).toThrow(/a daily window like 21:30-08:30/);
    try {
      loadConfig({ HTTP_PORT: '70000' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect(String((err as Error).message)).not.toContain('\n');
    }
  });

  it('refuses a token without an endpoint instead of crashing in service discovery', () => {
    expect(() => loadConfig({ WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_workpro_abc' })).toThrow(/WECHATY_PUPPET_SERVICE_ENDPOINT is not/);
    const c = loadConfig({ WECHATY_PUPPET_SERVICE_TOKEN: 'puppet_workpro_abc', WECHATY_PUPPET_SERVICE_ENDPOINT: '10.0.0.5:8788' });
    expect(c.production).toBe(true);
  });

  it('refuses a console on a public address without a token', () => {
    expect(() => loadConfig({ HTTP_HOST: '0.0.0.0' })).toThrow(/HTTP_HOST="0.0.0.0" is not a loopback address and CONSOLE_TOKEN is not set/);
    expect(loadConfig({ HTTP_HOST: '0.0.0.0', CONSOLE_TOKEN: 'a-long-enough-token' }).HTTP_HOST).toBe('0.0.0.0');
    expect(() => loadConfig({ CONSOLE_TOKEN: 'short' })).toThrow(/CONSOLE_TOKEN=\(hidden, 5 characters\) is not valid: expected at least 16 characters/);
  });

  it('never prints a token, secret or password in a config error', () => {
    const errorOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return '';
      } catch (err) {
        return (err as Error).message;
      }
    };
    const short = errorOf({ CONSOLE_TOKEN: 'Secr3t-value' });
    expect(short).toContain('CONSOLE_TOKEN=(hidden, 12 characters)');
    expect(short).not.toContain('Secr3t-value');
    const puppet = errorOf({ WECHATY_PUPPET_SERVICE_TOKEN: 'noprefixsecret', WECHATY_PUPPET_SERVICE_ENDPOINT: 'h:1' });
    expect(puppet).not.toContain('noprefixsecret');
    expect(shownValue('REDIS_URL', 'redis://:hunter2@10.0.0.5:6379/0')).toBe('"redis://:***@10.0.0.5:6379/0"');
  });

  it('refuses remote gateways without a shared Redis', () => {
    expect(() => loadConfig({ GATEWAYS: 'remote' })).toThrow(/GATEWAYS=remote needs REDIS_URL/);
    const c = loadConfig({ GATEWAYS: 'remote', REDIS_URL: 'redis://10.0.0.2:6379/0' });
    expect([c.GATEWAYS, c.GATEWAY_LEASE_SECONDS, c.GATEWAY_SCAN_SECONDS, c.GATEWAY_MAX_ACCOUNTS]).toEqual(['remote', 20, 5, 100]);
  });

  it('refuses a token without a prefix', () => {
    expect(() => loadConfig({ WECHATY_PUPPET_SERVICE_TOKEN: 'abc', WECHATY_PUPPET_SERVICE_ENDPOINT: 'h:1' })).toThrow(/WECHATY_PUPPET_SERVICE_TOKEN/);
  });

  it('documents every key in the README and .env.example', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = readFileSync('.env.example', 'utf8');
    for (const key of configKeys) {
      expect(readme, `README.md lacks ${key}`).toContain(`\`${key}\``);
      expect(example, `.env.example lacks ${key}`).toContain(key);
    }
  });
});
