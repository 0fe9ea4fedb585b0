/** Reading the errors that come back from puppet-service (gRPC status codes and provider messages). */

export const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const HINTS: Record<number, string> = {
  [GRPC.UNAVAILABLE]: 'is WECHATY_PUPPET_SERVICE_ENDPOINT right and the server up? (TLS off on a TLS server also looks like this)',
  [GRPC.UNAUTHENTICATED]: 'the server refused WECHATY_PUPPET_SERVICE_TOKEN',
  [GRPC.ALREADY_EXISTS]: "another client holds this token's event stream (a second bot process?)",
};

/** The gRPC status code of an error, if it has one. */
export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** One line: the message (first line only, no stack) plus a hint for the codes operators can fix. */
export function describeGrpcError(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  const firstLine = (raw ?? '').split('\n')[0]!.slice(0, 300);
  const code = grpcCode(err);
  const hint = code !== undefined ? HINTS[code] : undefined;
  return hint ? `${firstLine} — ${hint}` : firstLine;
}

/** The target does not exist on the provider (mock: "no payload found for id …"). */
export function isNotFoundError(err: unknown): boolean {
  if (grpcCode(err) === GRPC.NOT_FOUND) return true;
  const message = err instanceof Error ? err.message : String(err);
  return /no payload found for id|not exist|not found/i.test(message);
}

/** The connection to the provider broke (cancelled stream, unreachable server, deadline). */
export function isConnectivityError(err: unknown): boolean {
  const code = grpcCode(err);
  return code === GRPC.CANCELLED || code === GRPC.UNAVAILABLE || code === GRPC.DEADLINE_EXCEEDED;
}

/**
 * A known Wechaty bug fires `no payload found for id …@chatroom` on room join/leave; it is harmless.
 * Nothing else is.
 */
export function isHarmlessWechatyError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /no payload found for id \S*@chatroom/.test(message);
}
