import type { Context } from 'hono';
import { z } from 'zod';
import { pathText } from '../../../core/playbook-errors.js';
import type { Clock } from '../../../core/clock.js';
import type { AuditRepo } from '../../audit.repo.js';
import { operatorOf } from '../auth.js';

/** A 400 answer naming the field: `{ error, field }`. */
export type BadRequest = { error: string; field: string };

/**
 * Reads an optional JSON body against a schema. An empty body is `{}`.
 * @returns the data, or a 400 body naming the field and what is allowed.
 */
export async function readBody<T extends z.ZodType>(c: Context, schema: T): Promise<{ ok: true; data: z.infer<T> } | { ok: false; bad: BadRequest }> {
  const text = await c.req.text();
  let raw: unknown = {};
  if (text.trim() !== '') {
    try {
      raw = JSON.parse(text);
    } catch {
      return { ok: false, bad: { error: '(body): expected a JSON object', field: '(body)' } };
    }
  }
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, data: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!].map(String).join('.') : pathText(issue.path);
  const what = issue.code === 'unrecognized_keys' ? `unknown field; allowed: ${Object.keys((schema as unknown as z.ZodObject).shape ?? {}).join(', ') || 'none'}` : issue.message;
  return { ok: false, bad: { error: `${field}: ${what}`, field } };
}

/** Records an operator action from the API: who (the token's operator), what, on what, and the result. */
export function auditApi(audit: AuditRepo, clock: Clock, c: Context, action: string, target: string | null, result: string): void {
  audit.record({ at: clock.now().getTime(), actor: operatorOf(c), channel: 'api', action, target, result });
}
