import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';

const COOKIE = 'siyu_console';

/** One accepted token and the operator it names (`console` when unnamed). */
export interface ConsoleToken {
  operator: string;
  secret: string;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The tokens of `CONSOLE_TOKEN`: one plain token (operator `console`), or comma-separated
 * `name:token` pairs so that the audit trail names who acted.
 * @example parseTokens('lin:0123456789abcdef,chen:fedcba9876543210') // [{ operator: 'lin', … }, …]
 */
export function parseTokens(value: string | undefined): ConsoleToken[] {
  if (!value) return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([\w.\-\u4e00-\u9fff]{1,40}):(.+)$/u.exec(s);
      return m ? { operator: m[1]!, secret: m[2]! } : { operator: 'console', secret: s };
    });
}

function match(tokens: readonly ConsoleToken[], given: string | undefined): ConsoleToken | undefined {
  if (!given) return undefined;
  return tokens.find((t) => same(given, t.secret));
}

/** Paths a browser may open without a token: the probe and the login form. */
const OPEN = new Set(['/healthz', '/login']);

/**
 * Every route but `/healthz` and `/login` needs a console token: `Authorization: Bearer <token>`, or
 * the cookie set by the login form (`/login`) or by opening `/?token=<token>` once in a browser. A
 * browser asking for a page without one is sent to `/login`; API clients get 401. Without a
 * configured token the console only listens on loopback (enforced by config), and then no token is
 * asked for. The operator's name (from a `name:token` pair) is set as `operator` on the context.
 */
export function requireToken(token: string | undefined): MiddlewareHandler {
  const tokens = parseTokens(token);
  return async (c, next) => {
    if (tokens.length === 0 || OPEN.has(c.req.path)) {
      c.set('operator' as never, 'console' as never);
      return next();
    }
    const query = c.req.query('token');
    const byQuery = match(tokens, query);
    if (byQuery) {
      setCookie(c, COOKIE, byQuery.secret, { httpOnly: true, sameSite: 'Strict', path: '/' });
      c.set('operator' as never, byQuery.operator as never);
      return next();
    }
    const header = c.req.header('authorization');
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    const found = match(tokens, bearer ?? getCookie(c, COOKIE));
    if (found) {
      c.set('operator' as never, found.operator as never);
      return next();
    }
    const wantsPage = c.req.method === 'GET' && (c.req.header('accept') ?? '').includes('text/html') && !c.req.path.startsWith('/api/');
    if (wantsPage) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 302);
    return c.json({ error: 'unauthorized: send "Authorization: Bearer <CONSOLE_TOKEN>", or log in at /login (or open /?token=<CONSOLE_TOKEN> once)' }, 401);
  };
}

/**
 * Who acts, for the audit trail: the operator named by the token, else the `X-Operator` header
 * (scripts sharing one token), else `console`.
 */
export function operatorOf(c: Context): string {
  const named = c.get('operator' as never) as string | undefined;
  if (named && named !== 'console') return named;
  return c.req.header('x-operator')?.slice(0, 60) || 'console';
}

/** The login form's POST: checks the token, sets the cookie and redirects; 401 with the form again otherwise. */
export function loginHandler(
  token: string | undefined,
  form: (error: string | null, next: string) => string,
): { get: (c: Context) => Response; post: (c: Context) => Promise<Response> } {
  const tokens = parseTokens(token);
  const safeNext = (n: string | undefined) => (n && /^\/[\w\-/]*$/u.test(n) ? n : '/');
  return {
    get: (c) => c.html(form(null, safeNext(c.req.query('next')))),
    post: async (c) => {
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const given = typeof body['token'] === 'string' ? body['token'] : undefined;
      const next = safeNext(typeof body['next'] === 'string' ? body['next'] : undefined);
      if (tokens.length === 0) return c.redirect(next, 302);
      const found = match(tokens, given);
      if (!found) return c.html(form('令牌不正确，请重新输入', next), 401);
      setCookie(c, COOKIE, found.secret, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect(next, 302);
    },
  };
}
