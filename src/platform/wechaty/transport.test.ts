import type { Wechaty } from 'wechaty';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { OwnSendIds } from '../../inbound/own-sends.js';
import { createTransport } from './transport.js';

describe('the transport tells the inbound guard which message ids are its own sends', () => {
  it('records the provider message id each send returned', async () => {
    const contact = { say: async () => ({ id: 'provider-msg-9' }) };
    const bot = {
      puppet: { contactPayload: async () => ({}) },
      Contact: { find: async () => contact },
    } as unknown as Wechaty;
    const ids = new OwnSendIds();
    const transport = createTransport({ currentBot: () => bot, isOnline: () => true, logger: silentLogger(), onSent: (id) => ids.record(id) });
    await expect(transport.send({ kind: 'contact', id: 'm1' }, { kind: 'text', text: '您好' })).resolves.toEqual({ messageId: 'provider-msg-9' });
    expect(ids.take('provider-msg-9')).toBe(true);
    expect(ids.take('provider-msg-9')).toBe(false);
  });
});
