import * as PUPPET from 'wechaty-puppet';
import { describe, expect, it } from 'vitest';
import { EdgePuppetService } from './session.js';

describe('EdgePuppetService', () => {
  it("drops the 'no grpc manager' rejection of a payload marked dirty on a closed session (wechaty-puppet does not await that call)", async () => {
    const puppet = new EdgePuppetService({ endpoint: '127.0.0.1:1', token: 'insecure_session-test', tls: { disable: true } });
    // Never started: there is no gRPC manager, as after a close.
    expect(() => puppet.grpcManager).toThrow('no grpc manager');
    await expect(puppet.dirtyPayload(PUPPET.types.Dirty.RoomMember, 'room-1')).resolves.toBeUndefined();
  });
});
