/**
 * `parse` remembering its last text, for the matchers of one parser's declarations: the router asks
 * them about the same message one after the other, so the text is parsed once, not once per command.
 * @example const kindOf = lastParsed((t) => parseMemberCommand(t)?.kind); matches: (t) => kindOf(t) === 'points'
 */
export function lastParsed<T>(parse: (text: string) => T): (text: string) => T {
  let last: { text: string; value: T } | null = null;
  return (text) => {
    if (last?.text !== text) last = { text, value: parse(text) };
    return last.value;
  };
}
