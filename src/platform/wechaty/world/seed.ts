import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ConfigError } from '../../../core/errors.js';

/** The shipped demo seed: `data/demo/` at the project root, whatever the working directory. */
export const DEMO_SEED_DIR = fileURLToPath(new URL('../../../../data/demo/', import.meta.url));

export const STAFF_ROLES = ['guide', 'store-manager', 'community-admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

const contactId = z.string().regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and -');
const roomId = z.string().regex(/^[A-Za-z0-9_.-]+@chatroom$/, 'an id like hz01-a@chatroom');

const storeFileSchema = z.object({
  store: z.object({ code: z.string().regex(/^[A-Z0-9]+$/), name: z.string().min(1), city: z.string().min(1) }),
  bot: z.object({ id: contactId, name: z.string().min(1) }),
  staff: z.array(z.object({ id: contactId, name: z.string().min(1), role: z.enum(STAFF_ROLES) })).min(1),
  rooms: z.array(z.object({ id: roomId, topic: z.string().min(1), staffIds: z.array(contactId) })).min(1),
});

export interface SeedStore {
  code: string;
  name: string;
  city: string;
}
export interface SeedContact {
  id: string;
  name: string;
}
export interface SeedStaff extends SeedContact {
  role: StaffRole;
}
/** A member; the phone is seed data only and is never logged. */
export interface SeedMember extends SeedContact {
  phone: string;
  roomId: string | null;
}
export interface SeedRoom {
  id: string;
  topic: string;
  staffIds: string[];
  memberIds: string[];
}

/** Everything the simulated world is made of. */
export interface WorldSeed {
  store: SeedStore;
  bot: SeedContact;
  staff: SeedStaff[];
  members: SeedMember[];
  rooms: SeedRoom[];
}

const MEMBER_COLUMNS = ['id', 'name', 'phone', 'room'] as const;

/**
 * Reads `store.json` and `members.csv` from `dir` and checks that every id is unique and every
 * reference points at something that exists.
 * @throws ConfigError naming the file, the line or path, the field, what was found and what is allowed.
 * @example const seed = loadSeed(DEMO_SEED_DIR)
 */
export function loadSeed(dir: string = DEMO_SEED_DIR): WorldSeed {
  const storePath = path.join(dir, 'store.json');
  const membersPath = path.join(dir, 'members.csv');
  const storeFile = parseStoreFile(storePath, readText(storePath));
  const members = parseMembersCsv(membersPath, readText(membersPath));

  const ids = new Set<string>([storeFile.bot.id]);
  const claim = (id: string, where: string) => {
    if (ids.has(id)) throw new ConfigError(`${where}: id "${id}" is used twice; every contact id must be unique`);
    ids.add(id);
  };
  storeFile.staff.forEach((s, i) => claim(s.id, `${storePath} staff[${i}].id`));
  members.forEach((m) => claim(m.id, `${membersPath} member ${m.id}`));

  const staffIds = new Set(storeFile.staff.map((s) => s.id));
  const roomIds = new Set(storeFile.rooms.map((r) => r.id));
  const rooms: SeedRoom[] = storeFile.rooms.map((r, i) => {
    r.staffIds.forEach((id, j) => {
      if (!staffIds.has(id)) {
        throw new ConfigError(`${storePath} rooms[${i}].staffIds[${j}]: "${id}" is not a staff id; expected one of ${[...staffIds].join(', ')}`);
      }
    });
    return { ...r, memberIds: members.filter((m) => m.roomId === r.id).map((m) => m.id) };
  });
  members.forEach((m, i) => {
    if (m.roomId !== null && !roomIds.has(m.roomId)) {
      throw new ConfigError(`${membersPath} line ${i + 2} field room: "${m.roomId}" is not a room in store.json; expected one of ${[...roomIds].join(', ')} or empty`);
    }
  });
  return { store: storeFile.store, bot: storeFile.bot, staff: storeFile.staff, members, rooms };
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read the seed file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function parseStoreFile(file: string, text: string): z.infer<typeof storeFileSchema> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  const result = storeFileSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ConfigError(`${file} ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** Parses `id,name,phone,room` rows (no quoting; a room may be empty). */
export function parseMembersCsv(file: string, text: string): SeedMember[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((s) => s.trim());
  if (header.join(',') !== MEMBER_COLUMNS.join(',')) {
    throw new ConfigError(`${file} line 1: header is "${header.join(',')}"; expected "${MEMBER_COLUMNS.join(',')}"`);
  }
  const members: SeedMember[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNo = i + 2;
    const cells = line.split(',').map((s) => s.trim());
    if (cells.length !== MEMBER_COLUMNS.length) {
      throw new ConfigError(`${file} line ${lineNo}: found ${cells.length} fields; expected ${MEMBER_COLUMNS.length} (${MEMBER_COLUMNS.join(',')})`);
    }
    const [id, name, phone, room] = cells as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new ConfigError(`${file} line ${lineNo} field id: "${id}"; expected letters, digits, _ and -`);
    if (name === '') throw new ConfigError(`${file} line ${lineNo} field name: empty; expected a name`);
    if (!/^1\d{10}$/.test(phone)) throw new ConfigError(`${file} line ${lineNo} field phone: not an 11-digit mobile number`);
    members.push({ id, name, phone, roomId: room === '' ? null : room });
  });
  return members;
}
