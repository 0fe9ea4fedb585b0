/** `report <what>`: one command routing to each capability's report. */
import { UsageError, type CliCommand } from './cli-io.js';

/**
 * Builds the `report` command from reports keyed by name; each report receives the full arguments
 * (its name first), as when it stood alone.
 * @example reportCommand({ guides: reportGuidesCommand, friends: reportFriendsCommand })
 */
export function reportCommand(reports: Record<string, CliCommand>): CliCommand {
  const names = Object.keys(reports);
  const list = names.join(', ');
  return {
    name: 'report',
    synopsis: `report ${names.join('|')} [options]`,
    summary: `reports: ${list}`,
    usage: names.map((n) => reports[n]!.usage).join('\n\n'),
    run(args, io) {
      const what = args.find((a) => !a.startsWith('-'));
      const report = what === undefined ? undefined : reports[what];
      if (!report) throw new UsageError(`${what === undefined ? 'which report?' : `unknown report "${what}"`}: reports are ${list}`);
      return report.run(args, io);
    },
  };
}
