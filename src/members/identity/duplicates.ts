import type { Db } from '../../platform/db/client.js';

/** Member records that probably are one person, and why (ids lowest first). */
export interface ProbableDuplicate {
  ids: number[];
  why: 'same phone' | 'same contact' | 'same name and birthday' | 'same name: one joined in chat, one imported';
}

/** At most this many groups per kind of evidence. */
const LIMIT = 200;

/**
 * Member records that are probably one person, for `doctor` and the console: the same phone or the
 * same contact id (normally impossible: both are unique, and a contact id is linked once), the same
 * name and birthday, or the same name where one record joined in chat without a phone and another was
 * imported without a contact (the duplicate an 入会 made before binding existed). One scan per kind
 * (grouping, no self-join), so it stays quick on a million members. Read-only.
 * @example probableDuplicates(db) // [{ ids: [12, 345], why: 'same name and birthday' }]
 */
export function probableDuplicates(db: Db): ProbableDuplicate[] {
  const c = db.$client;
  const groups = (sql: string, why: ProbableDuplicate['why']) =>
    (c.prepare(`${sql} limit ${LIMIT}`).all() as { ids: string }[]).map((r) => ({
      ids: r.ids
        .split(',')
        .map(Number)
        .sort((x, y) => x - y),
      why,
    }));
  return [
    ...groups(`select group_concat(id) as ids from members where phone is not null group by phone having count(*) > 1`, 'same phone'),
    ...groups(`select m.id || ',' || l.member_id as ids from member_links l join members m on m.contact_id = l.contact_id where m.id <> l.member_id`, 'same contact'),
    ...groups(
      `select group_concat(id) as ids from members where name <> '' and birth_month is not null
      group by name, birth_month, birth_day, coalesce(birth_year, 0) having count(*) > 1`,
      'same name and birthday',
    ),
    ...groups(
      `select group_concat(id) as ids from members where name <> '' and (phone is null) <> (contact_id is null)
      group by name having sum(phone is null) > 0 and sum(contact_id is null) > 0`,
      'same name: one joined in chat, one imported',
    ),
  ];
}
