import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { NativeConnection } from '@temporalio/worker';

export interface TemporalConnections {
  address: string;
  namespace: string;
  native: NativeConnection;
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

/**
 * Connects worker and client the same way: to the embedded dev server when given its address, otherwise by
 * the standard TEMPORAL_* variables (and profiles) through @temporalio/envconfig, TLS and API keys included.
 */
export async function connectTemporal(options: {
  /** The embedded dev server: plain loopback, no TLS or API key. */
  embeddedAddress?: string;
  /** An explicit cluster address (TEMPORAL_ADDRESS as parsed by our config); TLS and keys still come from env. */
  address?: string;
  namespace: string;
  dataConverter: DataConverter;
}): Promise<TemporalConnections> {
  const fromEnv = options.embeddedAddress ? undefined : loadClientConnectConfig();
  const connectionOptions = options.embeddedAddress
    ? { address: options.embeddedAddress }
    : { ...fromEnv?.connectionOptions, ...(options.address ? { address: options.address } : {}) };
  const namespace = options.namespace;
  const native = await NativeConnection.connect(connectionOptions);
  const connection = await Connection.connect(connectionOptions);
  const client = new Client({ connection, namespace, dataConverter: options.dataConverter });
  return {
    address: connectionOptions.address ?? 'localhost:7233',
    namespace,
    native,
    connection,
    client,
    close: async () => {
      await connection.close();
      await native.close();
    },
  };
}
