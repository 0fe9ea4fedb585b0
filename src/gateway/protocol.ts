import type { FriendRequest, InboundMessage, OutboundContent, RoomMemberEvent, Target } from '../core/messages.js';

/**
 * What crosses Redis between the core and the gateways. Commands go core → gateway on the account's
 * pub/sub channel (only the lease holder listens, so a command is never queued for a dead gateway);
 * answers come back on the core's reply channel; events go gateway → core on one stream.
 */

interface CommandBase {
  /** Unique per request; the answer carries it back. */
  id: string;
  account: string;
  /** The core's reply channel id. */
  replyTo: string;
  /** Epoch ms after which the core no longer waits: a gateway drops the command instead of acting late. */
  deadline: number;
}

export type GatewayCommand = CommandBase &
  (
    | {
        op: 'send';
        target: Target;
        content: OutboundContent;
        /**
         * Idempotency key (the outbox row): recorded before the platform call, so the same row sent again
         * (a retry after a lost answer, a takeover, a reroute) is answered from the record instead of sent twice.
         */
        key?: string;
      }
    | { op: 'accept'; friendshipId: string }
    | { op: 'members'; roomId: string }
  );

/** `transient`: try again later; `permanent`: never; `unknown`: it may have gone out (not sent again). */
export type CommandFailure = 'transient' | 'permanent' | 'unknown';

export type GatewayReply =
  { id: string; ok: true; messageId?: string; memberIds?: string[]; replayed?: boolean } | { id: string; ok: false; failure: CommandFailure; message: string };

/** Connection states a gateway reports for an account (the edge's own events). */
export type LinkState = 'login' | 'ready' | 'logout';

export type GatewayEvent =
  | { kind: 'message'; account: string; gateway: string; message: InboundMessage }
  | { kind: 'friendship'; account: string; gateway: string; request: FriendRequest }
  | { kind: 'room'; account: string; gateway: string; event: RoomMemberEvent }
  | { kind: 'sent'; account: string; gateway: string; messageId: string }
  | { kind: LinkState; account: string; gateway: string; selfId?: string; reason?: string };

/** The send record's value before the platform call. */
export const PENDING = 'pending';
/** The send record's value after it: `sent|<messageId>`. */
export const SENT = 'sent';
