import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

const COOKIE = 'siyu_console';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Every route but `/healthz` needs the console token: `Authorization: Bearer <token>`, or the
 * cookie set by opening `/?token=<token>` once in a browser. Without a configured token the console
 * only listens on loopback (enforced by config), and then no token is asked for.
 */
export function requireToken(token: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!token || c.req.path === '/healthz') return next();
    const header = c.req.header('authorization');
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const query = c.req.query('token');
    if (query && same(query, token)) {
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return next();
    }
    const given = bearer ?? getCookie(c, COOKIE);
    if (given && same(given, token)) return next();
    return c.json({ error: 'unauthorized: send "Authorization: Bearer <CONSOLE_TOKEN>", or open /?token=<CONSOLE_TOKEN> once' }, 401);
  };
}
