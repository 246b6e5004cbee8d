import type { Command } from 'commander';
import type { LeadPage } from '../../client/lead-list.js';
import type { LeadState } from '../../shared/lead-types.js';
import type { CliContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { positiveInt, repeatable } from '../options.js';
import { print, printJson, table } from '../output.js';
import { leadPath } from '../service-api.js';

interface LeadFlags {
  portal?: string;
  json?: boolean;
}

/** The operator's commands on one lead, and the list of leads that need one. */
export function leadCommands(program: Command, context: CliContext): void {
  program
    .command('status')
    .description("A lead's state: sync status, HubSpot contact id, pending and failed events, deliveries")
    .argument('<email>')
    .option('--portal <portalId>', 'the HubSpot portal (default: the service’s)')
    .option('--json', 'print the state as JSON')
    .action(async (email: string, flags: LeadFlags) => {
      const state = await context.api().get<LeadState>(leadPath(email), { portalId: flags.portal });
      if (flags.json) printJson(state);
      else print(describeLead(state));
      if (state.status === 'failed') context.exitCode(ExitCode.incomplete);
    });

  program
    .command('resync')
    .description("Write the lead's last known state to HubSpot again (after edits made in HubSpot)")
    .argument('<email>')
    .option('--portal <portalId>', 'the HubSpot portal (default: the service’s)')
    .option('--json', 'print the answer as JSON')
    .action(async (email: string, flags: LeadFlags) => {
      const accepted = await context
        .api()
        .post<{ workflowId: string; eventId: string }>(leadPath(email, '/resync'), portalBody(flags));
      if (flags.json) printJson(accepted);
      else print(`resync of ${email} accepted (event ${accepted.eventId}, workflow ${accepted.workflowId})`);
    });

  program
    .command('retry-failed')
    .description("Apply a lead's failed events again, after their cause was fixed")
    .argument('<email>')
    .option('--event <eventId>', 'only this failed event (repeatable; default: all)', repeatable, [])
    .option('--portal <portalId>', 'the HubSpot portal (default: the service’s)')
    .option('--json', 'print the answer as JSON')
    .action(async (email: string, flags: LeadFlags & { event: string[] }) => {
      const answer = await context.api().post<{ workflowId: string }>(leadPath(email, '/retry-failed'), {
        ...portalBody(flags),
        ...(flags.event.length > 0 ? { eventIds: flags.event } : {}),
      });
      if (flags.json) printJson(answer);
      else print(`retry of ${flags.event.length > 0 ? flags.event.join(', ') : 'every failed event'} of ${email} sent`);
    });

  program
    .command('failed')
    .description('Leads with failed events (their LeadSyncStatus is "failed"), newest first')
    .option('--portal <portalId>', 'the HubSpot portal (default: the service’s)')
    .option('--status <status>', 'list leads with another status instead: pending, synced, blocked', 'failed')
    .option('--limit <n>', 'at most this many', positiveInt(100_000), 100)
    .option('--json', 'print the leads as JSON')
    .action(async (flags: LeadFlags & { status: string; limit: number }) => {
      const leads: LeadPage['leads'] = [];
      let pageToken: string | undefined;
      do {
        const page = await context.api().get<LeadPage>('v1/leads', {
          status: flags.status,
          portalId: flags.portal,
          pageSize: String(Math.min(1_000, flags.limit - leads.length)),
          pageToken,
        });
        leads.push(...page.leads);
        pageToken = page.nextPageToken;
      } while (pageToken && leads.length < flags.limit);
      if (flags.json) printJson({ leads });
      else if (leads.length === 0) print(`no leads are ${flags.status}`);
      else {
        print(table(leads, ['email', 'status', 'hubspotId', 'workflowId']));
        if (flags.status === 'failed')
          print('\n`leadsync status <email>` shows why; `leadsync retry-failed <email>` replays.');
      }
      if (flags.status === 'failed' && leads.length > 0) context.exitCode(ExitCode.incomplete);
    });
}

function portalBody(flags: LeadFlags): Record<string, string> {
  return flags.portal ? { portalId: flags.portal } : {};
}

function describeLead(s: LeadState): string {
  const lines = [
    table(
      [
        { field: 'email', value: s.email },
        { field: 'portal', value: s.portalId },
        { field: 'status', value: s.status },
        { field: 'hubspotId', value: s.hubspotId ?? '(none yet)' },
        { field: 'pending', value: s.pending.length },
        { field: 'failed', value: s.failed.length },
        { field: 'lastSyncedAt', value: s.lastSyncedAt ?? '' },
        {
          field: 'unsubscribed',
          value: s.subscription.unsubscribedFromAll ? 'all email' : s.subscription.unsubscribed.join(', '),
        },
        {
          field: 'deliveries',
          value: `${s.deliveries.delivered} delivered, ${s.deliveries.pending.length} pending, ${s.deliveries.failed.length} failed`,
        },
      ],
      ['field', 'value'],
    ),
  ];
  if (s.pending.length > 0) {
    lines.push(
      '',
      'Pending events:',
      table(
        s.pending.map((p) => ({ ...p, inFlight: p.inFlight ? 'yes' : '' })),
        ['eventId', 'kind', 'receivedAt', 'inFlight'],
      ),
    );
  }
  if (s.failed.length > 0) {
    lines.push(
      '',
      'Failed events (`leadsync retry-failed` once the cause is fixed):',
      table(
        s.failed.map((f) => ({
          eventId: f.event.eventId,
          kind: f.event.kind,
          errorType: f.errorType,
          message: f.message,
        })),
        ['eventId', 'kind', 'errorType', 'message'],
      ),
    );
  }
  return lines.join('\n');
}
