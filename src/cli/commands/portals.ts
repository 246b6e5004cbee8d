import type { Command } from 'commander';
import type { ConnectionStatus } from '../../shared/connection-types.js';
import type { CliContext } from '../context.js';
import { print, printJson, table } from '../output.js';

interface PortalList {
  portals: Array<{ portalId: string; default?: boolean; connection: ConnectionStatus }>;
}

export function portalsCommand(program: Command, context: CliContext): void {
  program
    .command('portals')
    .description('The HubSpot portals this service syncs, with their connection state')
    .option('--json', 'print the portals as JSON')
    .action(async (flags: { json?: boolean }) => {
      const { portals } = await context.api().get<PortalList>('v1/portals');
      if (flags.json) return printJson({ portals });
      if (portals.length === 0) return print('no portal is connected yet: install the app at GET /oauth/install');
      print(
        table(
          portals.map((p) => ({
            portalId: p.portalId,
            default: p.default ? 'yes' : '',
            mode: p.connection.mode,
            state: p.connection.state,
            expiresAt: p.connection.expiresAt ?? '',
            lastError: p.connection.lastError ?? '',
          })),
          ['portalId', 'default', 'mode', 'state', 'expiresAt', 'lastError'],
        ),
      );
    });
}
