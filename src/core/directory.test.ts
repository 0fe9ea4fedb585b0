import { describe, expect, it } from 'vitest';
import { openTestDb } from '../platform/db/client.js';
import { staff } from '../platform/db/schema.js';
import { insertMember, insertStore } from '../members/testing.js';
import { eq } from 'drizzle-orm';
import { peopleOf } from './directory.js';

describe('the directory of people', () => {
  it('is one per database and sees roster changes at once, whoever made them', () => {
    const db = openTestDb();
    insertStore(db, 'HZ01');
    const people = peopleOf(db);
    expect(peopleOf(db)).toBe(people);
    expect(people.staffByContact('wx-g1')).toBeUndefined();
    db.insert(staff).values({ code: 'G1', name: '王晓燕', role: 'guide', storeCode: 'HZ01', contactId: 'wx-g1', createdAt: 0, updatedAt: 0 }).run();
    expect(people.staffByContact('wx-g1')).toMatchObject({ code: 'G1', role: 'guide', workingDays: expect.any(String) });
    expect(people.contactOf('G1')).toEqual({ contactId: 'wx-g1', name: '王晓燕' });
    // a raw update that leaves updated_at alone (as another process might) is seen too
    db.$client.prepare('update staff set active = 0 where code = ?').run('G1');
    expect(people.isStaff('wx-g1')).toBe(false);
    expect(people.staffByCode('G1')).toBeUndefined();
    db.update(staff).set({ active: true }).where(eq(staff.code, 'G1')).run();
    expect(people.isStaff('wx-g1')).toBe(true);
    db.delete(staff).where(eq(staff.code, 'G1')).run();
    expect(people.staff()).toEqual([]);
  });

  it('reads the roster once while it does not move', () => {
    const db = openTestDb();
    insertStore(db, 'HZ01');
    db.insert(staff).values({ code: 'G1', name: '王晓燕', role: 'guide', storeCode: 'HZ01', contactId: 'wx-g1', createdAt: 0, updatedAt: 0 }).run();
    const people = peopleOf(db);
    const first = people.staff();
    people.staffByContact('wx-g1');
    expect(people.staff()).toBe(first);
  });

  it('finds the member behind a contact', () => {
    const db = openTestDb();
    insertStore(db, 'HZ01');
    const id = insertMember(db, { contactId: 'm1', name: '刘芳', storeCode: 'HZ01', guideCode: null });
    expect(peopleOf(db).member('m1')).toEqual({ id, contactId: 'm1', name: '刘芳', storeCode: 'HZ01', guideCode: null });
    expect(peopleOf(db).member('nobody')).toBeUndefined();
  });
});
